"""Each test in one database transaction that is rolled back afterwards.

For a test the app's engine is swapped for ``SingleConnectionEngine``: an engine whose pool holds
one connection, on which the test's outer transaction is open.  Every transaction the code under
test begins on it — a request's session, the factories' commits, ``db.engine.begin()`` in the job
outbox — becomes a SAVEPOINT: its commit releases the savepoint, its rollback rolls back to it.
The test's ROLLBACK then undoes everything, far quicker than deleting from every table.

Apps a test builds on the same database (a CSRF or rate-limited variant) get the same engine.

Transactions on the one connection nest.  A session held open across a request that commits
(a test holding an app context while using the test client) would roll the request's work back
with its own rollback; when that session wrote nothing, its rollback only releases its savepoint,
otherwise the test fails and says so.  Tests whose data other connections must see (threads,
other processes, a live server) carry ``@pytest.mark.committed`` and keep the real engine.
"""

from __future__ import annotations

import contextlib
import itertools

from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

_READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK TO", "PRAGMA", "SHOW")


class _Savepoint:
    def __init__(self, connection, name: str):
        self.connection = connection
        self.name = name
        self.wrote = False  # this connection changed something since its savepoint
        self.holds_other_commits = False  # another connection committed inside it


class SingleConnectionEngine:
    """``engine`` runs every connection's transaction as a savepoint of the test's transaction."""

    def __init__(self, url):
        # pysqlite's own transaction handling gets in the way of savepoints: it runs in autocommit
        # mode and the test says BEGIN.  psycopg2 begins the transaction itself (and its
        # server-side cursors need one).
        self.sqlite = make_url(url).get_backend_name() == "sqlite"
        options = {"isolation_level": "AUTOCOMMIT"} if self.sqlite else {}
        self.engine = create_engine(url, poolclass=StaticPool, pool_reset_on_return=None, **options)
        self.active = False
        self._names = itertools.count(1)
        self._stack: list[_Savepoint] = []
        engine = self.engine
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)
        event.listen(engine, "before_cursor_execute", self._before_execute)
        # The savepoints replace the driver's own transactions; apps built on this engine
        # dispose of "their" engine when done, which must leave the shared connection alone.
        engine.dialect.do_begin = engine.dialect.do_commit = engine.dialect.do_rollback = _nothing
        engine.dispose = _nothing
        fairy = engine.raw_connection()
        self._dbapi = fairy.dbapi_connection
        self._dbapi.rollback()  # the dialect's first queries
        fairy.close()

    @contextlib.contextmanager
    def transaction(self):
        if self.sqlite:
            self._raw("BEGIN")
        self.active = True
        try:
            yield self.engine
        finally:
            self.active = False
            self._stack.clear()
            self._dbapi.rollback()

    def close(self):
        self._dbapi.close()

    # --- the connection's transactions, as savepoints -------------------------------------------

    def _raw(self, sql: str) -> None:
        cursor = self._dbapi.cursor()
        try:
            cursor.execute(sql)
        finally:
            cursor.close()

    def _begin(self, connection):
        if not self.active:
            raise RuntimeError("the test's single-connection engine is used outside its test "
                               "(an app built in a transactional test used by a committed one?)")
        savepoint = _Savepoint(connection, f"lms_test_{next(self._names)}")
        self._raw(f"SAVEPOINT {savepoint.name}")
        self._stack.append(savepoint)

    def _end(self, connection) -> _Savepoint | None:
        if not self.active or not self._stack:
            return None
        top = self._stack[-1]
        if top.connection is not connection:
            if any(s.connection is connection for s in self._stack):
                raise RuntimeError(
                    "transactions on the test connection did not nest: one ended while a later one "
                    "was still open; mark the test @pytest.mark.committed")
            return None
        return self._stack.pop()

    def _commit(self, connection):
        savepoint = self._end(connection)
        if savepoint is None:
            return
        self._raw(f"RELEASE SAVEPOINT {savepoint.name}")
        if savepoint.wrote:
            for outer in self._stack:
                outer.holds_other_commits = True

    def _rollback(self, connection):
        savepoint = self._end(connection)
        if savepoint is None:
            return
        if savepoint.holds_other_commits:
            if savepoint.wrote:
                raise RuntimeError(
                    "a session that wrote was rolled back around another session's commit (a test "
                    "holding an app context while a request commits?); rolling it back would undo "
                    "that commit: close the app context first or mark the test @pytest.mark.committed")
            self._raw(f"RELEASE SAVEPOINT {savepoint.name}")  # nothing of its own to undo
        else:
            self._raw(f"ROLLBACK TO SAVEPOINT {savepoint.name}")
            self._raw(f"RELEASE SAVEPOINT {savepoint.name}")

    def _before_execute(self, connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(_READS):
            return
        for savepoint in reversed(self._stack):
            if savepoint.connection is connection:
                savepoint.wrote = True
                return


def _nothing(*args, **kwargs):
    return None
