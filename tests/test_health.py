from sqlalchemy.exc import OperationalError


def test_healthz_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["db"] == "ok"
    assert body["redis"] == "ok"


def test_healthz_answers_503_when_the_database_is_down(app, client, monkeypatch):
    from lms.extensions import db

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    with app.app_context():
        session_cls = type(db.session())
    monkeypatch.setattr(session_cls, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["db"] == "unavailable"


def test_pages_answer_503_not_500_when_the_database_is_down(app, client, monkeypatch):
    from lms.extensions import db

    def broken(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    with app.app_context():
        session_cls = type(db.session())
    monkeypatch.setattr(session_cls, "execute", broken)
    monkeypatch.setattr(session_cls, "scalar", broken)
    response = client.post("/auth/login", data={"login": "a@b.org", "password": "whatever-password"})
    assert response.status_code == 503
    assert b"temporarily unavailable" in response.data
