"""Shared set-up of the stream tests: a classroom with its teacher and two students."""

from sqlalchemy import select

from lms.streams.models import Stream
from tests.conftest import AuthActions

HX = {"HX-Request": "true"}


class Klass:
    """P1/1 with its homeroom teacher and two students; ``client_of(user)`` a client signed in as them."""

    def __init__(self, app, make):
        self.app = app
        self.classroom = make.classroom("P1/1")
        self.teacher = make.teacher(self.classroom, full_name="Kru Somsri")
        self.ann = make.student(self.classroom, full_name="Ann Student")
        self.ben = make.student(self.classroom, full_name="Ben Student")
        self.url = f"/classrooms/{self.classroom.id}/stream"

    def client_of(self, user):
        client = self.app.test_client()
        AuthActions(client).login(user)
        return client


def stream_id(db, classroom_id):
    return db.scalar(select(Stream.id).where(Stream.classroom_id == classroom_id))


def open_stream(k, client, db):
    assert client.get(k.url).status_code == 200
    return stream_id(db, k.classroom.id)


def allow_students(k, teacher_client, sid):
    assert teacher_client.post(f"/streams/{sid}/settings", data={"students_may_post": "y"}).status_code == 303
