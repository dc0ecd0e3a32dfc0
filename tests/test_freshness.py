"""lms/common/freshness.py: the one conditional-poll helper of messages, help requests and streams."""

from __future__ import annotations

from contextlib import contextmanager

from flask_login import login_user

from lms.common import freshness

HX = {"HX-Request": "true"}


@contextmanager
def _poll(app, user, path="/x", headers=None):
    with app.test_request_context(path, headers=headers or {}):
        login_user(user)
        yield


def test_the_tag_is_the_readers_own_and_per_url_unless_told(app, make):
    ann, ben = make.student(), make.student()
    with _poll(app, ann, "/x?page=2&poll=1"):
        mine, anywhere = freshness.etag_of((1, 2)), freshness.etag_of((1, 2), per_url=False)
        assert freshness.etag_of((1, 3)) != mine
    with _poll(app, ann, "/x?page=2"):
        assert freshness.etag_of((1, 2)) == mine  # "poll" marks the request, it is not what is shown
    with _poll(app, ann, "/y"):
        assert freshness.etag_of((1, 2)) != mine and freshness.etag_of((1, 2), per_url=False) == anywhere
    with _poll(app, ben, "/x?page=2"):
        assert freshness.etag_of((1, 2)) != mine


def test_only_an_htmx_request_naming_the_tag_gets_a_304(app, make):
    ann = make.student()
    with _poll(app, ann):
        etag = freshness.etag_of(("v",))
    asked = []

    def version():
        asked.append(1)
        return ("v",)

    with _poll(app, ann, headers={**HX, "If-None-Match": f'"{etag}"'}):
        answer = freshness.not_modified(version)
        assert answer.status_code == 304 and answer.headers["ETag"] == f'"{etag}"'
        assert answer.headers["Cache-Control"] == "private, no-cache"
        assert freshness.not_modified(None) is None  # not visible any more: the full answer
    with _poll(app, ann, headers={"If-None-Match": f'"{etag}"'}):
        assert freshness.not_modified(version) is None  # a page load, not a poll
    with _poll(app, ann, headers=HX):
        assert freshness.not_modified(version) is None  # no tag sent
    with _poll(app, ann, headers={**HX, "If-None-Match": "*"}):
        assert freshness.not_modified(version) is None
    assert len(asked) == 2  # the version query runs only for a poll that sent a tag
