"""Test data factories. Each call commits in its own app context and returns detached objects."""

from __future__ import annotations

import itertools

from lms.auth.models import Role, User
from lms.extensions import db
from lms.school.services import ensure_organization

_seq = itertools.count(1)
DEFAULT_PASSWORD = "correct-horse-battery"  # noqa: S105


class Factory:
    def __init__(self, app):
        self.app = app

    def _save(self, *objects):
        with self.app.app_context():
            for obj in objects:
                db.session.add(obj)
            db.session.commit()
            for obj in objects:
                db.session.refresh(obj)
                db.session.expunge(obj)
            db.session.remove()
        return objects[0] if len(objects) == 1 else objects

    def organization(self, **kwargs):
        with self.app.app_context():
            org = ensure_organization()
            for key, value in kwargs.items():
                setattr(org, key, value)
            db.session.commit()
            db.session.refresh(org)
            db.session.expunge(org)
            db.session.remove()
            return org

    def user(self, role: str = Role.STUDENT, email: str | None = None, full_name: str | None = None,
             password: str = DEFAULT_PASSWORD, **kwargs) -> User:
        n = next(_seq)
        with self.app.app_context():
            user = User(email=email or f"{str(role).lower()}{n}@school.example.org",
                        full_name=full_name or f"{str(role).title()} {n}", role=str(role), **kwargs)
            user.set_password(password)
        return self._save(user)

    def login_session(self, user, *, started_at=None, last_active_at=None, **kwargs):
        """A login session of ``user`` (open unless ``ended_at`` etc. are given)."""
        from lms.auth.models import UserSession
        from lms.common.types import utcnow

        now = utcnow()
        started_at = started_at or now
        return self._save(UserSession(user_id=user.id, started_at=started_at,
                                      last_active_at=last_active_at or started_at, **kwargs))

    def invitation(self, invited_by=None, *, email: str | None = None, role: str = Role.STUDENT,
                   token: str | None = None, expires_in_days: float = 7, **kwargs):
        """A PENDING invitation; returns ``(invitation, raw_token)``."""
        from datetime import timedelta

        from lms.auth.models import Invitation
        from lms.auth.tokens import hash_token, new_token
        from lms.common.types import utcnow

        n = next(_seq)
        raw, digest = (token, hash_token(token)) if token else new_token()
        invitation = Invitation(email=email or f"invitee{n}@school.example.org", role=str(role),
                                token_hash=digest, grants=kwargs.pop("grants", {}),
                                expires_at=utcnow() + timedelta(days=expires_in_days),
                                invited_by_id=getattr(invited_by, "id", None),
                                send_count=kwargs.pop("send_count", 1), **kwargs)
        return self._save(invitation), raw
    # --- school structure -------------------------------------------------------------------

    def school(self, academic_year: str = "2026", **kwargs):
        """The organization with its default levels and a current academic year."""
        return self.organization(academic_year=academic_year, **kwargs)

    def classroom(self, name: str = "P1/1", academic_year: str | None = None, archived: bool = False):
        """Classroom ``name`` ("P1/1") of ``academic_year`` (default: the organization's, 2026 if unset)."""
        from sqlalchemy import select

        from lms.school.models import Classroom, Level
        from lms.school.services import ensure_levels

        code, _, number = name.partition("/")
        with self.app.app_context():
            org = ensure_organization()
            if not org.academic_year:
                org.academic_year = "2026"
            ensure_levels()
            year = academic_year or org.academic_year
            level = db.session.scalar(select(Level).where(Level.code == code))
            if level is None:
                position = (db.session.scalar(select(db.func.max(Level.position))) or 0) + 1
                level = Level(code=code, name=f"Level {code}", position=position)
                db.session.add(level)
            classroom = db.session.scalar(select(Classroom).where(
                Classroom.level == level, Classroom.number == int(number), Classroom.academic_year == year))
            if classroom is None:
                classroom = Classroom(level=level, number=int(number), academic_year=year, archived=archived)
                db.session.add(classroom)
            db.session.commit()
            db.session.refresh(classroom)
            db.session.expunge(classroom)
            db.session.remove()
        return classroom

    def student(self, classroom=None, number: str | None = None, status: str = "ACTIVE", **kwargs) -> User:
        """A student with a profile (number S<n>), in ``classroom`` (an object or a name like "P1/1")."""
        from datetime import date

        from lms.school.models import ClassroomMembership, StudentProfile

        if isinstance(classroom, str):
            classroom = self.classroom(classroom)
        user = self.user(role=Role.STUDENT, **kwargs)
        with self.app.app_context():
            db.session.add(StudentProfile(user_id=user.id, student_number=number or f"S{user.id:05d}",
                                          status=status))
            if classroom is not None:
                db.session.add(ClassroomMembership(student_id=user.id, classroom_id=classroom.id,
                                                   academic_year=classroom.academic_year,
                                                   started_on=date(2000, 1, 1)))
            db.session.commit()
            db.session.remove()
        return user

    def students(self, count: int, classroom=None) -> list[User]:
        """Many students at once (bulk, for query-count tests)."""
        from datetime import date

        from sqlalchemy import insert

        from lms.school.models import ClassroomMembership, StudentProfile

        if isinstance(classroom, str):
            classroom = self.classroom(classroom)
        with self.app.app_context():
            probe = User(email="x@x", full_name="x", role="STUDENT")
            probe.set_password(DEFAULT_PASSWORD)
            rows = []
            for _i in range(count):
                n = next(_seq)
                rows.append({"email": f"bulk{n}@school.example.org", "full_name": f"Bulk Student {n}",
                             "role": "STUDENT", "password_hash": probe.password_hash})
            ids = list(db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), rows))
            db.session.execute(insert(StudentProfile), [{"user_id": i, "student_number": f"B{i:06d}"} for i in ids])
            if classroom is not None:
                db.session.execute(insert(ClassroomMembership), [
                    {"student_id": i, "classroom_id": classroom.id, "academic_year": classroom.academic_year,
                     "started_on": date(2000, 1, 1)} for i in ids])
            db.session.commit()
            users = [db.session.get(User, i) for i in ids]
            for u in users:
                db.session.expunge(u)
            db.session.remove()
        return users

    def teacher(self, classroom=None, role: str = "HOMEROOM", subject_name: str = "", **kwargs) -> User:
        """A teacher, assigned to ``classroom`` (an object or a name) when given."""
        user = self.user(role=Role.TEACHER, **kwargs)
        if classroom is not None:
            self.assign(user, classroom, role=role, subject_name=subject_name)
        return user

    def assign(self, teacher, classroom, role: str = "SUBJECT", subject_name: str = ""):
        from lms.school.models import TeacherAssignment

        if isinstance(classroom, str):
            classroom = self.classroom(classroom)
        return self._save(TeacherAssignment(teacher_id=teacher.id, classroom_id=classroom.id, role=role,
                                            subject_name=subject_name))

    def parent_of(self, *students, **kwargs) -> User:
        """A parent account linked to ``students``."""
        from lms.school.models import ParentLink

        parent = self.user(role=Role.PARENT, **kwargs)
        with self.app.app_context():
            for student in students:
                db.session.add(ParentLink(parent_id=parent.id, student_id=student.id))
            db.session.commit()
            db.session.remove()
        return parent

    # --- curriculum and resources -------------------------------------------------------------

    def core_subject(self, name: str = "Mathematics"):
        from sqlalchemy import select

        from lms.curriculum.models import CoreSubject

        with self.app.app_context():
            core = db.session.scalar(select(CoreSubject).where(CoreSubject.name == name))
            if core is None:
                core = CoreSubject(name=name)
                db.session.add(core)
                db.session.commit()
            db.session.refresh(core)
            db.session.expunge(core)
            db.session.remove()
        return core

    def subject(self, audience: str = "P1", *, core: str = "Mathematics", name: str | None = None,
                teachers=(), archived: bool = False):
        """A subject for a level ("P1") or one classroom ("P1/1"), taught by ``teachers``."""
        from sqlalchemy import select

        from lms.curriculum.models import Subject, SubjectTeacher
        from lms.school.models import Level

        core_obj = self.core_subject(core)
        classroom = self.classroom(audience) if "/" in audience else None
        with self.app.app_context():
            ensure_organization()
            from lms.school.services import ensure_levels

            ensure_levels()
            code = audience.partition("/")[0]
            level = db.session.scalar(select(Level).where(Level.code == code))
            subject = Subject(core_subject_id=core_obj.id, level_id=level.id,
                              classroom_id=classroom.id if classroom else None,
                              name=name or f"{core} {audience}", archived=archived)
            db.session.add(subject)
            db.session.flush()
            for teacher in teachers:
                db.session.add(SubjectTeacher(subject_id=subject.id, teacher_id=teacher.id))
            db.session.commit()
            subject = db.session.get(Subject, subject.id)
            db.session.expunge(subject)
            db.session.remove()
        return subject

    def tree(self, subject, spec: dict, *, published: bool = True) -> dict:
        """Units/parts/sections from ``{"Unit": {"Part": ["Section", ...]}}``; returns {title: id}."""
        from lms.curriculum.models import Part, Section, Unit

        ids = {}
        with self.app.app_context():
            for u_pos, (unit_title, parts) in enumerate(spec.items()):
                unit = Unit(subject_id=subject.id, title=unit_title, position=u_pos, published=published)
                db.session.add(unit)
                db.session.flush()
                ids[unit_title] = unit.id
                for p_pos, (part_title, sections) in enumerate(parts.items()):
                    part = Part(unit_id=unit.id, title=part_title, position=p_pos, published=published)
                    db.session.add(part)
                    db.session.flush()
                    ids[part_title] = part.id
                    for s_pos, section_title in enumerate(sections):
                        section = Section(part_id=part.id, title=section_title, position=s_pos,
                                          published=published, content=f"About {section_title}.")
                        db.session.add(section)
                        db.session.flush()
                        ids[section_title] = section.id
            db.session.commit()
            db.session.remove()
        return ids

    def resource(self, owner, data: bytes | None = None, filename: str = "picture.png", *,
                 section_id: int | None = None, **kwargs):
        """An uploaded resource (a small PNG unless ``data`` is given), attached to a section if asked."""
        import io

        from lms.auth.models import User as UserModel
        from lms.curriculum.models import Section
        from lms.resources import services
        from lms.resources.models import Resource

        if data is None:
            data = png_bytes()
        with self.app.app_context():
            actor = db.session.get(UserModel, owner.id)
            section = db.session.get(Section, section_id) if section_id else None
            resource = services.upload(actor, io.BytesIO(data), filename, section=section, **kwargs)
            db.session.commit()
            resource = db.session.get(Resource, resource.id)
            db.session.expunge(resource)
            db.session.remove()
        return resource

    # --- analytics and communication ---------------------------------------------------------

    def login_sessions(self, user, starts, *, minutes: int = 30, open_last: bool = False, **kwargs) -> int:
        """Ended login sessions of ``user`` starting at each of ``starts`` (aware UTC), ``minutes`` long
        (bulk). With ``open_last`` the last one is still open."""
        from datetime import timedelta

        from sqlalchemy import insert

        from lms.auth.models import UserSession

        rows = []
        for i, start in enumerate(starts):
            end = start + timedelta(minutes=minutes)
            is_open = open_last and i == len(starts) - 1
            rows.append({"user_id": user.id, "started_at": start, "last_active_at": end,
                         "ended_at": None if is_open else end, "duration_seconds": None if is_open else minutes * 60,
                         "end_reason": None if is_open else "LOGOUT", "ip": kwargs.get("ip", "192.0.2.10"),
                         "user_agent": kwargs.get("user_agent", "Mozilla/5.0 (Linux; Android 14) Chrome/126")})
        with self.app.app_context():
            if rows:
                db.session.execute(insert(UserSession), rows)
            db.session.commit()
            db.session.remove()
        return len(rows)

    def announcement(self, author=None, *, title: str = "A notice", body: str = "Hello **everyone**",
                     target_kind: str = "EVERYONE", classroom=None, level_code: str | None = None,
                     include_parents: bool = False, people=(), status: str = "PUBLISHED", publish_at=None,
                     expires_at=None, urgent: bool = False, body_format: str = "MARKDOWN"):
        """An announcement (published a minute ago unless told otherwise; delivery already done)."""
        from datetime import timedelta

        from sqlalchemy import select

        from lms.common.types import utcnow
        from lms.communication.models import Announcement, AnnouncementPerson
        from lms.school.models import Level

        if isinstance(classroom, str):
            classroom = self.classroom(classroom)
        if author is None:
            author = self.user(role=Role.ADMIN)
        now = utcnow()
        if publish_at is None and status != "DRAFT":
            publish_at = now - timedelta(minutes=1)
        with self.app.app_context():
            level_id = db.session.scalar(select(Level.id).where(Level.code == level_code)) if level_code else None
            announcement = Announcement(
                author_id=author.id, title=title, body=body, body_format=body_format, status=status,
                target_kind=target_kind, target_classroom_id=classroom.id if classroom is not None else None,
                target_level_id=level_id, include_parents=include_parents, urgent=urgent, publish_at=publish_at,
                expires_at=expires_at, delivered_at=now if status == "PUBLISHED" else None)
            db.session.add(announcement)
            db.session.flush()
            for person in people:
                db.session.add(AnnouncementPerson(announcement_id=announcement.id, user_id=person.id))
            db.session.commit()
            db.session.refresh(announcement)
            db.session.expunge(announcement)
            db.session.remove()
        return announcement

    def notification(self, user, kind: str = "work_graded", *, link: str | None = None, read: bool = False,
                     **params):
        from lms.common.types import utcnow
        from lms.communication.models import Notification

        params = params or {"title": "Fractions quiz", "score": "8/10"}
        return self._save(Notification(user_id=user.id, kind=kind, params=params, link=link,
                                       read_at=utcnow() if read else None))

    # --- teaching sessions --------------------------------------------------------------------

    def course_session(self, teacher=None, subject=None, *, name: str | None = None, status: str = "PUBLISHED",
                       code: str | None = None, start=None, end=None, max_students=None, deadline=None,
                       **settings):
        """A teaching session (published, from an hour ago for 30 days, by default) with its settings."""
        from datetime import timedelta

        from lms.common.types import utcnow
        from lms.school.services import ensure_organization
        from lms.teaching.codes import random_code
        from lms.teaching.models import CourseSession, CourseSessionSettings

        if teacher is None:
            teacher = self.user(role=Role.TEACHER)
        if subject is None or (status != "EXPIRED" and self._runs_active_session(teacher, subject)):
            # One active session per teacher and course, so another one gets a course of its own.
            subject = self.subject("P1", teachers=[teacher], name=f"Course {next(_seq)}")
        now = utcnow()
        n = next(_seq)
        with self.app.app_context():
            org = ensure_organization()
            course_session = CourseSession(
                tenant_id=org.id, session_name=name or f"Session {n}", teacher_id=teacher.id, course_id=subject.id,
                status=status, start_date=start or now - timedelta(hours=1), end_date=end or now + timedelta(days=30),
                max_students=max_students, enrollment_deadline=deadline, session_code=code or random_code(),
                created_by=teacher.id, published_at=now if status != "DRAFT" else None)
            db.session.add(course_session)
            db.session.flush()
            db.session.add(CourseSessionSettings(tenant_id=org.id, course_session_id=course_session.id,
                                                 created_by=teacher.id, **settings))
            db.session.commit()
            db.session.refresh(course_session)
            db.session.expunge(course_session)
            db.session.remove()
        return course_session

    def centre(self, name: str | None = None, *, rooms=(), members=(), address: str = "", timezone=None):
        """A centre with rooms (names) and members (users); ``centre.room_ids`` maps room names to ids."""
        from lms.centres.models import Centre, CentreMembership, Room, name_key

        name = name or f"Centre {next(_seq)}"
        with self.app.app_context():
            centre = Centre(name=name, name_key=name_key(name), address=address, timezone=timezone)
            db.session.add(centre)
            db.session.flush()
            made = [Room(centre_id=centre.id, name=room, name_key=name_key(room)) for room in rooms]
            db.session.add_all(made)
            db.session.add_all(CentreMembership(centre_id=centre.id, user_id=user.id) for user in members)
            db.session.commit()
            room_ids = {room.name: room.id for room in made}
            db.session.refresh(centre)
            db.session.expunge(centre)
            db.session.remove()
        centre.room_ids = room_ids
        return centre

    def _runs_active_session(self, teacher, subject) -> bool:
        from sqlalchemy import select

        from lms.teaching.models import CourseSession

        with self.app.app_context():
            found = db.session.scalar(select(CourseSession.id).where(
                CourseSession.teacher_id == teacher.id, CourseSession.course_id == subject.id,
                CourseSession.is_deleted.is_(False), CourseSession.status != "EXPIRED").limit(1))
            db.session.remove()
        return found is not None

    def enrollment(self, course_session, student=None, *, status: str = "ENROLLED", **kwargs):
        from lms.common.types import utcnow
        from lms.teaching.models import CourseSessionEnrollment

        if student is None:
            student = self.student("P1/1")
        now = utcnow()
        return self._save(CourseSessionEnrollment(
            tenant_id=course_session.tenant_id, course_session_id=course_session.id, student_id=student.id,
            enrollment_status=status, approved_at=None if status == "PENDING" else now, enrolled_at=now,
            created_by=student.id, **kwargs))

    def meeting(self, course_session, *, starts_at=None, minutes: int = 60, code: str = "ABCD"):
        """A meeting (now, for an hour, by default)."""
        from datetime import timedelta
        from zoneinfo import ZoneInfo

        from lms.common.types import utcnow
        from lms.teaching.models import CourseSessionMeeting

        starts_at = starts_at or utcnow() - timedelta(minutes=5)
        return self._save(CourseSessionMeeting(
            course_session_id=course_session.id, starts_at=starts_at,
            meeting_date=starts_at.astimezone(ZoneInfo("Asia/Bangkok")).date(),  # the test school's timezone
            ends_at=starts_at + timedelta(minutes=minutes), checkin_code=code))

    def attendance(self, meeting, student, status: str = "PRESENT", source: str = "TEACHER"):
        from lms.teaching.models import CourseSessionAttendance

        return self._save(CourseSessionAttendance(meeting_id=meeting.id, student_id=student.id, status=status,
                                                  source=source))


    # --- assessments ----------------------------------------------------------------------------

    def assessment(self, owner, *, title: str = "Quiz", questions=None, section_id: int | None = None,
                   subject_id: int | None = None, publish: bool = False, media=(), **settings):
        """An assessment by ``owner`` with ``questions`` (dicts of QuestionInput fields; default one
        single-choice question), attached to a section/subject and published when asked (the
        attachment and status are set directly, without the services' checks)."""
        from lms.assessments import authoring, services
        from lms.assessments.models import Assessment
        from lms.assessments.questions import QuestionInput
        from lms.common.types import utcnow

        with self.app.app_context():
            actor = db.session.get(User, owner.id)
            assessment = services.create_assessment(actor, title)
            for name, value in settings.items():
                setattr(assessment, name, value)
            specs = questions if questions is not None else [ONE_OF_EACH[0]]
            for label, resource in media:
                from lms.resources.models import Resource

                authoring.set_media(actor, assessment, db.session.get(Resource, resource.id), label)
            if specs:
                authoring.add_questions(actor, assessment, [QuestionInput(**spec) for spec in specs])
            assessment.section_id, assessment.subject_id = section_id, subject_id
            if publish:
                assessment.status, assessment.published_at = "PUBLISHED", utcnow()
            db.session.commit()
            assessment = db.session.get(Assessment, assessment.id)
            db.session.expunge(assessment)
            db.session.remove()
        return assessment

    def attempt(self, student, assessment, answers: dict | None = None, *, submit: bool = True):
        """An attempt of ``student``: ``answers`` maps question positions (in the assessment's order)
        to form values; submitted unless told otherwise."""
        from lms.assessments import taking
        from lms.assessments.models import Assessment, Submission

        with self.app.app_context():
            actor = db.session.get(User, student.id)
            target = db.session.get(Assessment, assessment.id)
            attempt = taking.start_attempt(actor, target)
            versions = {v.question_id: v for v in taking.versions_of(attempt)}
            from lms.assessments.services import questions_of

            for index, question in enumerate(questions_of(target.id)):
                if index in (answers or {}) and question.id in versions:
                    taking.save_answer(actor, attempt, versions[question.id].id, {"answer": answers[index]})
            if submit:
                taking.submit(actor, attempt)
            db.session.commit()
            attempt = db.session.get(Submission, attempt.id)
            db.session.expunge(attempt)
            db.session.remove()
        return attempt


    # --- home pages and the parent digest -----------------------------------------------------------

    def section_visit(self, student, section_id: int, *, at=None):
        """``student`` opened the section at ``at`` (now by default)."""
        from lms.common.types import utcnow
        from lms.curriculum.models import SectionVisit

        return self._save(SectionVisit(student_id=student.id, section_id=section_id, last_opened_at=at or utcnow()))

    def excusal(self, assessment, student):
        from lms.assessments.models import AssessmentExcusal

        return self._save(AssessmentExcusal(assessment_id=assessment.id, student_id=student.id))

    def digest_opt_out(self, parent, source: str = "WEB"):
        from lms.digest.models import DigestOptOut

        return self._save(DigestOptOut(user_id=parent.id, source=source))


def png_bytes(size=(8, 6), color=(200, 30, 30), **save_options) -> bytes:
    """A small PNG made with Pillow."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG", **save_options)
    return out.getvalue()


# --- assessments: question specs for make.assessment -------------------------------------------

ONE_OF_EACH = [
    {"type": "SINGLE_CHOICE", "text": "2 + 2 = ?", "options": ["3", "4", "5"], "key": {"correct": 1}, "points": 1},
    {"type": "MULTIPLE_CHOICE", "text": "Which are even?", "options": ["2", "3", "4", "5"],
     "key": {"correct": [0, 2], "partial": True}, "points": 2},
    {"type": "TRUE_FALSE", "text": "Ten ones make one ten.", "key": {"correct": True}, "points": 1},
    {"type": "SHORT_ANSWER", "text": "The capital of Thailand?", "key": {"accepted": ["Bangkok", "กรุงเทพ"]},
     "points": 1},
    {"type": "NUMERIC", "text": "Pi to two decimals?", "key": {"value": 3.14, "tolerance": 0.005}, "points": 1},
    {"type": "LONG_ANSWER", "text": "Explain how you counted.", "points": 3},
    {"type": "FILE_UPLOAD", "text": "Upload a photo of your work.", "points": 2},
]
# Form values that answer ONE_OF_EACH correctly (objective ones) by question index.
RIGHT_ANSWERS = {0: ["1"], 1: ["0", "2"], 2: ["true"], 3: ["  bangkok "], 4: ["3.14"], 5: ["I counted in tens."]}
