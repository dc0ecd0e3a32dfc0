"""The benchmark school, seeded in bulk (``INSERT ... SELECT generate_series``, one password hash).

    12 levels × 6 classrooms × 35 students (2,520), 60 teachers (homeroom and subject teachers),
    2,000 parents, 100 subjects (96 for a whole level, 4 for one classroom) of 10 units × 3 parts ×
    4 sections (12,000 sections of Markdown), 500 assessments of 10 questions (frozen versions
    included), 50,000 submitted attempts with 500,000 answers, 900,000 ended login sessions over the
    last year (plus 100,000 stale open ones added right before the expiry job is timed: 1,000,000),
    60 announcements, 20,000 notifications.

The helper tables that say which assessment is which (``bench.level_assessment``) live in their own
schema ``bench``, outside the app's tables.
"""

from __future__ import annotations

import time

from sqlalchemy import text

from bench.benchlib import BENCH_TIMEOUT_MINUTES, PASSWORD, log

SCALE = {"students_per_classroom": 35, "teachers": 60, "parents": 2000, "units": 10, "parts": 3, "sections": 4,
         "assessments_per_subject": 5, "submissions": 50_000, "history_sessions": 900_000, "stale_sessions": 100_000,
         "announcements": 60, "notifications": 20_000}
SMALL = {**SCALE, "parents": 100, "submissions": 5_000, "history_sessions": 20_000, "stale_sessions": 1_000,
         "notifications": 1_000}

CORE_SUBJECTS = ["Mathematics", "Thai", "English", "Science", "Social Studies", "Health and PE", "Arts",
                 "Music", "Computing"]
NOW = "(now() AT TIME ZONE 'UTC')"

SECTION_TEXT = (
    "## What we learn\\n\\nIn this section we practise the idea step by step. Read the example, then try "
    "the exercises with a partner.\\n\\n* Look at the picture and count.\\n* Write the number in words.\\n"
    "* Check your answer with the table below.\\n\\n| number | in words |\\n|---|---|\\n| 10 | ten |\\n"
    "| 20 | twenty |\\n\\n**Remember:** tens first, then ones.")

SEED_SQL = [
    ("users", f"""
    INSERT INTO "user" (email, full_name, role, password_hash, active, login_version, created_at, updated_at)
    SELECT 'admin@bench.example.org', 'Bench Admin', 'ADMIN', :hash, true, 1, {NOW}, {NOW}
    UNION ALL
    SELECT 'teacher' || g || '@bench.example.org', 'Teacher ' || lpad(g::text, 2, '0'), 'TEACHER', :hash, true, 1,
           {NOW}, {NOW} FROM generate_series(1, :teachers) g
    UNION ALL
    SELECT 'student' || g || '@bench.example.org', 'Student ' || lpad(g::text, 4, '0'), 'STUDENT', :hash, true, 1,
           {NOW}, {NOW} FROM generate_series(1, :students) g
    UNION ALL
    SELECT 'parent' || g || '@bench.example.org', 'Parent ' || lpad(g::text, 4, '0'), 'PARENT', :hash, true, 1,
           {NOW}, {NOW} FROM generate_series(1, :parents) g"""),
    ("numbering", """
    CREATE SCHEMA IF NOT EXISTS bench;
    CREATE TABLE bench.seeded (done boolean);
    CREATE TABLE bench.teacher AS SELECT id, row_number() OVER (ORDER BY id) AS rn FROM "user" WHERE role = 'TEACHER';
    CREATE TABLE bench.student AS SELECT id, row_number() OVER (ORDER BY id) AS rn FROM "user" WHERE role = 'STUDENT';
    """),
    ("classrooms", f"""
    INSERT INTO classroom (level_id, number, academic_year, archived, created_at)
    SELECT l.id, n, :year, false, {NOW} FROM level l CROSS JOIN generate_series(1, 6) n ORDER BY l.position, n;
    CREATE TABLE bench.classroom AS
      SELECT c.id, c.level_id, row_number() OVER (ORDER BY l.position, c.number) AS rn
      FROM classroom c JOIN level l ON l.id = c.level_id;
    INSERT INTO teacher_assignment (teacher_id, classroom_id, role, subject_name, created_at)
    SELECT t.id, c.id, 'HOMEROOM', '', {NOW} FROM bench.classroom c JOIN bench.teacher t
      ON t.rn = (c.rn - 1) % :teachers + 1"""),
    ("students", f"""
    INSERT INTO student_profile (user_id, student_number, status, guardian_notes, created_at, updated_at)
    SELECT id, 'S' || lpad(rn::text, 5, '0'), 'ACTIVE', '', {NOW}, {NOW} FROM bench.student;
    INSERT INTO classroom_membership (student_id, classroom_id, academic_year, status, started_on, created_at)
    SELECT s.id, c.id, :year, 'ACTIVE', DATE '2026-05-16', {NOW}
    FROM bench.student s JOIN bench.classroom c ON c.rn = (s.rn - 1) / :per_classroom + 1;
    INSERT INTO parent_link (parent_id, student_id, created_at)
    SELECT p.id, s.id, {NOW}
    FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM "user" WHERE role = 'PARENT') p
    JOIN bench.student s ON s.rn = p.rn"""),
    ("subjects", f"""
    INSERT INTO core_subject (name, description, archived, created_at)
    SELECT name, '', false, {NOW} FROM unnest(CAST(:core AS text[])) AS name;
    -- 96 subjects for a whole level (8 core subjects x 12 levels), 4 for one classroom (Computing)
    INSERT INTO subject (core_subject_id, level_id, classroom_id, name, description, archived, created_at,
                         updated_at)
    SELECT cs.id, l.id, NULL, cs.name || ' ' || l.code, 'The ' || cs.name || ' course of ' || l.name, false,
           {NOW}, {NOW}
    FROM level l CROSS JOIN core_subject cs WHERE cs.name <> 'Computing' ORDER BY l.position, cs.id;
    INSERT INTO subject (core_subject_id, level_id, classroom_id, name, description, archived, created_at,
                         updated_at)
    SELECT cs.id, c.level_id, c.id, 'Computing club ' || c.rn, '', false, {NOW}, {NOW}
    FROM bench.classroom c CROSS JOIN core_subject cs WHERE cs.name = 'Computing' AND c.rn IN (1, 7, 13, 19);
    CREATE TABLE bench.subject AS SELECT id, level_id, classroom_id, row_number() OVER (ORDER BY id) AS rn
      FROM subject;
    INSERT INTO subject_teacher (subject_id, teacher_id, created_at)
    SELECT s.id, t.id, {NOW} FROM bench.subject s JOIN bench.teacher t ON t.rn = (s.rn - 1) % :teachers + 1;
    -- the subject teacher of a level's subject teaches it in each classroom of the level
    INSERT INTO teacher_assignment (teacher_id, classroom_id, role, subject_name, created_at)
    SELECT st.teacher_id, c.id, 'SUBJECT', cs.name, {NOW}
    FROM subject s JOIN subject_teacher st ON st.subject_id = s.id JOIN core_subject cs ON cs.id = s.core_subject_id
    JOIN classroom c ON c.level_id = s.level_id AND (s.classroom_id IS NULL OR c.id = s.classroom_id)"""),
    ("tree", f"""
    INSERT INTO unit (subject_id, title, position, published, created_at)
    SELECT s.id, 'Unit ' || u || ': Numbers and patterns ' || u, u - 1, true, {NOW}
    FROM subject s CROSS JOIN generate_series(1, :units) u ORDER BY s.id, u;
    INSERT INTO part (unit_id, title, position, published, created_at)
    SELECT un.id, 'Part ' || p || ' of ' || un.title, p - 1, true, {NOW}
    FROM unit un CROSS JOIN generate_series(1, :parts) p ORDER BY un.id, p;
    INSERT INTO section (part_id, title, position, published, content, created_at, updated_at)
    SELECT pa.id, 'Section ' || se || ': counting in tens and ones', se - 1, true, E'{SECTION_TEXT}', {NOW}, {NOW}
    FROM part pa CROSS JOIN generate_series(1, :sections) se ORDER BY pa.id, se"""),
    ("assessments", f"""
    -- each subject: assessments on the first section of units 1..5; the first two were due a month ago
    INSERT INTO assessment (title, instructions, status, owner_id, core_subject_id, level_id, section_id,
                            attempts_allowed, scoring_policy, due_at, late_policy, late_deduction_percent,
                            late_floor_percent, shuffle_questions, shuffle_options, results_visibility,
                            display_mode, created_at, updated_at, published_at)
    SELECT 'Quiz ' || un.position + 1 || ': ' || s.name, 'Answer every question. **Show your work** on paper.',
           'PUBLISHED', st.teacher_id, s.core_subject_id, s.level_id, se.id, NULL, 'HIGHEST',
           CASE WHEN un.position < 2 THEN {NOW} - interval '30 days' END, 'ACCEPT', 0, 0, false, false,
           'AFTER_SUBMIT', 'ALL_AT_ONCE', {NOW} - interval '60 days', {NOW} - interval '60 days',
           {NOW} - interval '60 days'
    FROM subject s JOIN subject_teacher st ON st.subject_id = s.id
    JOIN unit un ON un.subject_id = s.id AND un.position < :per_subject
    JOIN part pa ON pa.unit_id = un.id AND pa.position = 0
    JOIN section se ON se.part_id = pa.id AND se.position = 0
    ORDER BY s.id, un.position;
    CREATE TABLE bench.level_assessment AS
      SELECT a.id AS assessment_id, s.level_id, s.classroom_id,
             row_number() OVER (PARTITION BY s.level_id, s.classroom_id ORDER BY a.id) - 1 AS idx
      FROM assessment a JOIN section se ON se.id = a.section_id JOIN part pa ON pa.id = se.part_id
      JOIN unit un ON un.id = pa.unit_id JOIN subject s ON s.id = un.subject_id;
    CREATE INDEX ON bench.level_assessment (level_id, idx)"""),
    ("questions", f"""
    INSERT INTO question (assessment_id, position, type, text, points, options, key, feedback, created_at,
                          updated_at)
    SELECT a.id, q,
           (ARRAY['SINGLE_CHOICE','SINGLE_CHOICE','SINGLE_CHOICE','MULTIPLE_CHOICE','TRUE_FALSE','TRUE_FALSE',
                  'SHORT_ANSWER','SHORT_ANSWER','NUMERIC','LONG_ANSWER'])[q + 1],
           'Question ' || q + 1 || '. Look at the number line and decide which answer fits best. '
             || 'How many tens are there in ' || (q + 3) * 10 || '?',
           CASE WHEN q = 9 THEN 2 ELSE 1 END,
           CAST(CASE WHEN q < 4 THEN '["Three tens","Four tens","Five tens","Six tens"]' ELSE '[]' END AS json),
           CAST(CASE WHEN q < 3 THEN '{{"correct": 1}}'
                     WHEN q = 3 THEN '{{"correct": [0, 2], "partial": true}}'
                     WHEN q < 6 THEN '{{"correct": true}}'
                     WHEN q < 8 THEN '{{"accepted": ["seven", "7"]}}'
                     WHEN q = 8 THEN '{{"value": 42, "tolerance": 0}}'
                     ELSE '{{}}' END AS json),
           'Count the tens first.', {NOW}, {NOW}
    FROM assessment a CROSS JOIN generate_series(0, 9) q ORDER BY a.id, q;
    INSERT INTO question_version (assessment_id, question_id, number, type, text, points, options, key, feedback,
                                  created_at)
    SELECT assessment_id, id, 1, type, text, points, options, key, feedback, {NOW} FROM question
    ORDER BY assessment_id, position;
    CREATE TABLE bench.versions AS
      SELECT v.assessment_id, json_agg(v.id ORDER BY q.position) AS ids, array_agg(v.id ORDER BY q.position) AS arr
      FROM question_version v JOIN question q ON q.id = v.question_id GROUP BY v.assessment_id;
    CREATE UNIQUE INDEX ON bench.versions (assessment_id)"""),
    ("submissions", f"""
    -- every student has done the first 20 assessments of their level (up to :submissions attempts)
    INSERT INTO submission (assessment_id, student_id, attempt_number, status, started_at, submitted_at, late,
                            auto_submitted, auto_score, manual_score, final_score, max_score, feedback,
                            question_order, option_order, resubmitted_after_grading, graded_at, graded_by_id,
                            returned_at, updated_at)
    SELECT la.assessment_id, s.id, 1, x.status, x.started, x.started + interval '20 minutes', false, false,
           x.auto, CASE WHEN x.status <> 'SUBMITTED' THEN 1 + x.k % 2 END,
           CASE WHEN x.status <> 'SUBMITTED' THEN x.auto + 1 + x.k % 2 END, 11,
           CASE WHEN x.status = 'RETURNED' THEN 'Well done, check question 4 again.' ELSE '' END,
           v.ids, CAST('{{}}' AS json), false,
           CASE WHEN x.status <> 'SUBMITTED' THEN x.started + interval '2 days' END,
           CASE WHEN x.status <> 'SUBMITTED' THEN (SELECT id FROM bench.teacher WHERE rn = 1) END,
           CASE WHEN x.status = 'RETURNED' THEN x.started + interval '3 days' END, x.started + interval '2 days'
    FROM bench.student s
    JOIN bench.classroom c ON c.rn = (s.rn - 1) / :per_classroom + 1
    CROSS JOIN generate_series(0, 19) i
    JOIN bench.level_assessment la ON la.level_id = c.level_id AND la.classroom_id IS NULL AND la.idx = i
    JOIN bench.versions v ON v.assessment_id = la.assessment_id
    CROSS JOIN LATERAL (SELECT s.rn * 20 + i AS k,
                               CASE WHEN (s.rn + i) % 10 = 0 THEN 'SUBMITTED'
                                    WHEN (s.rn + i) % 10 = 1 THEN 'RETURNED' ELSE 'GRADED' END AS status,
                               {NOW} - interval '40 days' + i * interval '1 day' + (s.rn % 300) * interval '1 minute'
                                 AS started,
                               ((s.rn * 7 + i * 3) % 9)::float AS auto) x
    WHERE s.rn * 20 + i < 20 + :submissions
    ORDER BY x.started"""),
    ("answers", """
    INSERT INTO answer (submission_id, question_version_id, response, saved_at, auto_points, manual_points, feedback)
    SELECT sub.id, v.id,
           CAST(CASE v.type WHEN 'SINGLE_CHOICE' THEN '{"choice": ' || (sub.id + n) % 4 || '}'
                            WHEN 'MULTIPLE_CHOICE' THEN '{"choices": [0, 2]}'
                            WHEN 'TRUE_FALSE' THEN '{"value": true}'
                            WHEN 'NUMERIC' THEN '{"text": "42"}'
                            WHEN 'LONG_ANSWER' THEN '{"text": "There are four tens and two ones in forty-two."}'
                            ELSE '{"text": "seven"}' END AS json),
           sub.submitted_at,
           CASE WHEN v.type = 'LONG_ANSWER' THEN NULL WHEN (sub.id + n) % 3 = 0 THEN 0 ELSE 1 END,
           CASE WHEN v.type = 'LONG_ANSWER' AND sub.status <> 'SUBMITTED' THEN 1 END, ''
    FROM submission sub JOIN bench.versions bv ON bv.assessment_id = sub.assessment_id
    CROSS JOIN LATERAL unnest(bv.arr) WITH ORDINALITY AS u(version_id, n)
    JOIN question_version v ON v.id = u.version_id"""),
    ("login sessions", """
    INSERT INTO user_session (user_id, started_at, last_active_at, ended_at, duration_seconds, end_reason, ip,
                              user_agent)
    SELECT u.id, s.started, s.started + s.len, s.started + s.len, extract(epoch FROM s.len)::int,
           CASE WHEN g % 3 = 0 THEN 'LOGOUT' ELSE 'EXPIRED' END,
           '10.0.' || (g % 250) || '.' || (g % 200 + 1),
           CASE g % 3 WHEN 0 THEN 'Mozilla/5.0 (Linux; Android 14) Chrome/126 Mobile'
                      WHEN 1 THEN 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1'
                      ELSE 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126' END
    FROM (SELECT g,
                 date_trunc('day', (now() AT TIME ZONE 'UTC') - interval '1 day' - (random() * 364) * interval '1 day')
                 + interval '1 hour' * (random() * 14) AS started,
                 interval '1 minute' * (1 + floor(random() * 90)) AS len,
                 1 + floor(random() * (:students + :teachers))::int AS k
          FROM generate_series(1, :history_sessions) g) s
    JOIN (SELECT id, row_number() OVER (ORDER BY id) rn FROM "user" WHERE role IN ('STUDENT', 'TEACHER')) u
      ON u.rn = s.k
    ORDER BY s.started"""),
    ("announcements", f"""
    INSERT INTO announcement (author_id, title, body, body_format, status, target_kind, target_level_id,
                              target_classroom_id, include_parents, urgent, publish_at, expires_at,
                              delivered_at, created_at, updated_at)
    SELECT (SELECT id FROM "user" WHERE role = 'ADMIN' LIMIT 1), 'Announcement ' || g,
           'Some **markdown** text number ' || g, 'MARKDOWN', 'PUBLISHED',
           (ARRAY['EVERYONE','STUDENTS','PARENTS','LEVEL','CLASSROOM','TEACHERS'])[g % 6 + 1],
           CASE WHEN g % 6 = 3 THEN (SELECT min(id) FROM level) END,
           CASE WHEN g % 6 = 4 THEN (SELECT min(id) FROM classroom) END,
           g % 2 = 0 AND g % 6 IN (3, 4), g % 10 = 0,
           {NOW} - g * interval '1 day', NULL, {NOW}, {NOW}, {NOW}
    FROM generate_series(1, :announcements) g;
    INSERT INTO announcement_read (announcement_id, user_id, read_at)
    SELECT a.id, u.id, {NOW} FROM announcement a
    JOIN "user" u ON u.role = 'STUDENT' AND u.id % 3 = 0 WHERE a.target_kind IN ('EVERYONE', 'STUDENTS');
    INSERT INTO notification (user_id, kind, params, link, created_at, read_at)
    SELECT s.id, 'work_graded', json_build_object('title', 'Quiz ' || g, 'score', '8/10'), '/submissions',
           {NOW} - g * interval '1 minute', CASE WHEN g % 4 = 0 THEN NULL ELSE {NOW} END
    FROM generate_series(1, :notifications) g JOIN bench.student s ON s.rn = 1 + g % :students"""),
]


def seed(app, scale: dict = SCALE) -> dict:
    """Migrate the (empty) database with the app's migrations and fill it; returns timings."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from lms.extensions import db
    from lms.school.services import ensure_organization

    timings = {}
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        timings["migrate"] = round(time.perf_counter() - started, 1)
        org = ensure_organization()
        org.name, org.academic_year, org.timezone = "Bench School", "2026", "Asia/Bangkok"
        org.session_timeout_minutes = BENCH_TIMEOUT_MINUTES
        db.session.commit()
        classrooms = 12 * 6
        params = {"hash": generate_password_hash(PASSWORD, "pbkdf2:sha256:1000"), "year": "2026",
                  "teachers": scale["teachers"], "students": classrooms * scale["students_per_classroom"],
                  "per_classroom": scale["students_per_classroom"], "parents": scale["parents"],
                  "core": CORE_SUBJECTS, "units": scale["units"], "parts": scale["parts"],
                  "sections": scale["sections"], "per_subject": scale["assessments_per_subject"],
                  "submissions": scale["submissions"], "history_sessions": scale["history_sessions"],
                  "announcements": scale["announcements"], "notifications": scale["notifications"]}
        for name, sql in SEED_SQL:
            t = time.perf_counter()
            rows = 0
            for statement in [s for s in sql.split(";\n") if s.strip()]:
                result = db.session.execute(text(statement), params)
                rows += max(result.rowcount, 0)
            db.session.commit()
            timings[name] = round(time.perf_counter() - t, 1)
            log(f"  seed {name:<15} {rows:>9,} rows  {timings[name]:6.1f} s")
        db.session.execute(text("INSERT INTO bench.seeded VALUES (true)"))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            t = time.perf_counter()
            c.execute(text("VACUUM ANALYZE"))
            timings["vacuum analyze"] = round(time.perf_counter() - t, 1)
        timings["total"] = round(time.perf_counter() - started, 1)
        db.session.remove()
    return timings


def row_counts(app) -> dict:
    from lms.extensions import db

    tables = ["user", "classroom", "subject", "unit", "part", "section", "assessment", "question", "submission",
              "answer", "user_session"]
    with app.app_context():
        counts = {t: db.session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}
        counts["students"] = db.session.execute(text("SELECT count(*) FROM \"user\" WHERE role = 'STUDENT'")).scalar()
        counts["teachers"] = db.session.execute(text("SELECT count(*) FROM \"user\" WHERE role = 'TEACHER'")).scalar()
        db.session.remove()
    return counts


# --- per run: fresh attempts, stale login sessions ---------------------------------------------------------


def prepare_attempts(app, *, take_students: int = 200, submit_indexes=(21, 22, 23, 24)) -> dict:
    """Attempts in progress: one for each of ``take_students`` students spread over the school
    (the take page and autosave; half their answers saved), and one per student for each of
    ``submit_indexes`` of their level's assessments (the submit pool; every answer saved).
    Earlier runs' attempts in progress and bench submissions are removed first."""
    from lms.extensions import db

    with app.app_context():
        db.session.execute(text("DELETE FROM submission WHERE assessment_id IN (SELECT assessment_id FROM "
                                "bench.level_assessment WHERE idx >= 20)"))
        db.session.execute(text("DROP TABLE IF EXISTS bench.attempt"))
        db.session.execute(text("""
            CREATE TABLE bench.attempt AS
            SELECT s.id AS student_id, la.assessment_id, la.idx, v.ids, v.arr
            FROM bench.student s JOIN bench.classroom c ON c.rn = (s.rn - 1) / :per_classroom + 1
            JOIN bench.level_assessment la ON la.level_id = c.level_id AND la.classroom_id IS NULL
            JOIN bench.versions v ON v.assessment_id = la.assessment_id
            WHERE (la.idx = 20 AND s.id IN (SELECT id FROM bench.student WHERE rn % 12 = 1 ORDER BY rn
                                            LIMIT :take))
               OR la.idx = ANY(:submit)"""),
            {"per_classroom": SCALE["students_per_classroom"], "take": take_students, "submit": list(submit_indexes)})
        db.session.execute(text(f"""
            INSERT INTO submission (assessment_id, student_id, attempt_number, status, started_at, late,
                                    auto_submitted, max_score, feedback, question_order, option_order,
                                    resubmitted_after_grading, updated_at)
            SELECT assessment_id, student_id, 1, 'IN_PROGRESS', {NOW} - interval '5 minutes', false, false, 11, '',
                   ids, CAST('{{}}' AS json), false, {NOW}
            FROM bench.attempt ORDER BY idx, student_id"""))
        db.session.execute(text(f"""
            INSERT INTO answer (submission_id, question_version_id, response, saved_at, feedback)
            SELECT sub.id, u.version_id,
                   CAST(CASE WHEN u.n <= 3 THEN '{{"choice": 1}}' WHEN u.n = 4 THEN '{{"choices": [0, 2]}}'
                             WHEN u.n <= 6 THEN '{{"value": true}}' WHEN u.n = 9 THEN '{{"text": "42"}}'
                             ELSE '{{"text": "seven"}}' END AS json), {NOW}, ''
            FROM submission sub JOIN bench.attempt a ON a.student_id = sub.student_id
                 AND a.assessment_id = sub.assessment_id
            CROSS JOIN LATERAL unnest(a.arr) WITH ORDINALITY AS u(version_id, n)
            WHERE sub.status = 'IN_PROGRESS' AND (a.idx <> 20 OR u.n <= 5)"""))
        db.session.commit()
        rows = db.session.execute(text("""
            SELECT sub.id, sub.student_id, sub.assessment_id, a.idx, a.arr
            FROM submission sub JOIN bench.attempt a ON a.student_id = sub.student_id
                 AND a.assessment_id = sub.assessment_id
            WHERE sub.status = 'IN_PROGRESS' ORDER BY a.idx, sub.id""")).all()
        db.session.execute(text("ANALYZE submission"))
        db.session.execute(text("ANALYZE answer"))
        db.session.commit()
        db.session.remove()
    take = [r for r in rows if r.idx == 20]
    submit = [r for r in rows if r.idx != 20]
    return {"take": take, "submit": submit}


def add_stale_sessions(app, count: int) -> None:
    """``count`` open login sessions whose last heartbeat is older than the timeout (students who
    closed the tab), for the expiry job."""
    from lms.extensions import db

    with app.app_context():
        db.session.execute(text("DELETE FROM user_session WHERE user_agent = 'bench-stale'"))
        db.session.execute(text(f"""
            INSERT INTO user_session (user_id, started_at, last_active_at, ip, user_agent)
            SELECT s.id, {NOW} - interval '4 hours' + (g % 3600) * interval '1 second',
                   {NOW} - interval '3 hours' + (g % 3600) * interval '1 second', '10.1.1.1', 'bench-stale'
            FROM generate_series(1, :count) g JOIN bench.student s ON s.rn = 1 + g % 2520
            ORDER BY 3"""), {"count": count})
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE user_session"))
        db.session.remove()
