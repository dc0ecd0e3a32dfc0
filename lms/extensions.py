"""Extension singletons; each is bound to the app in ``create_app``."""

from __future__ import annotations

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def _client_address() -> str:
    from flask import request

    return request.remote_addr or "unknown"


# Configured by lms.common.ratelimit.init_app (storage, key prefix, strategy from the config).
limiter = Limiter(key_func=_client_address)


_fake_redis_server = None


def redis_connection():
    """The instance's Redis connection, or None on the embedded default (no REDIS_URL)."""
    ext = current_app.extensions.setdefault("lms_redis", {})
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    if url not in ext:
        if url.startswith("fakeredis://"):
            import fakeredis  # test-only dependency

            global _fake_redis_server
            if _fake_redis_server is None:
                _fake_redis_server = fakeredis.FakeServer()
            ext[url] = fakeredis.FakeStrictRedis(server=_fake_redis_server)
        else:
            from redis import Redis

            ext[url] = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    return ext[url]


RELAY_REDIS_TIMEOUT = 0.2  # seconds: a request pushing its jobs never waits on Redis longer


def relay_redis_connection():
    """The connection requests push their jobs through (``lms.outbox.relay``): it gives up within
    0.2 s and never retries, so an unreachable Redis costs a request at most that."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    if url.startswith("fakeredis://"):
        return redis_connection()
    ext = current_app.extensions.setdefault("lms_relay_redis", {})
    if url not in ext:
        from redis import Redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        ext[url] = Redis.from_url(url, socket_connect_timeout=RELAY_REDIS_TIMEOUT,
                                  socket_timeout=RELAY_REDIS_TIMEOUT, retry=Retry(NoBackoff(), 0))
    return ext[url]
