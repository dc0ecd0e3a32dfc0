"""The ceiling the benchmark compares every page with: a Flask app that answers ``SELECT 1``.

It is served by the same gunicorn (same ``gunicorn.conf.py``: the instance config is checked and the
app preloaded; same workers, timeout and access log) and reaches the same PostgreSQL through the
same stack the LMS uses (Flask-SQLAlchemy, psycopg2, the LMS's pool options): what is left between
it and a real page is the app's own work — loading the user and the login session, the page's
queries and its template.

    LMS_INSTANCE=bench gunicorn bench.bare_app:app ...     (bench/run.py starts it)
"""

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text

from lms import _apply_engine_options
from lms.config import load_config

_config = load_config()
app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = _config["SQLALCHEMY_DATABASE_URI"]
_apply_engine_options(app)  # the LMS's pool settings
db = SQLAlchemy(app)


@app.route("/")
def select_one():
    value = db.session.execute(text("SELECT 1")).scalar()
    return {"ok": value}


@app.route("/healthz")
def healthz():
    return select_one()
