import subprocess
import sys
from pathlib import Path

import pytest

from lms.config import ConfigError, load_config, normalise_database_url

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "LMS_ENV": "production",
    "SECRET_KEY": "k" * 48,
    "DATABASE_URL": "postgresql://u@127.0.0.1/lms_x",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "BASE_URL": "https://x.example.org",
}


def test_embedded_default_uses_sqlite_and_no_redis():
    config = load_config(environ={})
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert config["SQLALCHEMY_DATABASE_URI"].endswith("var/lms.sqlite3")
    assert config["REDIS_URL"] == ""
    assert config["MAIL_BACKEND"] == "console"
    assert config["LMS_EMBEDDED"] is True


@pytest.mark.parametrize("url", ["postgresql://u@h/db", "postgres://u@h/db"])
def test_postgresql_urls_use_psycopg2(url):
    assert normalise_database_url(url) == "postgresql+psycopg2://u@h/db"
    assert load_config(environ={"DATABASE_URL": url})["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg2://")


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_without_required_settings(missing):
    environ = {k: v for k, v in GOOD.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        load_config(environ=environ)


@pytest.mark.parametrize("secret", ["changeme", "dev-insecure-secret-key", "short-secret"])
def test_production_refuses_placeholder_secret_keys(secret):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(environ={**GOOD, "SECRET_KEY": secret})


def test_production_config_is_accepted_and_cookies_are_secure():
    config = load_config(environ=GOOD)
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg2://")


def test_instance_file_is_loaded_and_environment_overrides_it(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCES_DIR", str(tmp_path))
    (tmp_path / "acme.env").write_text(
        "LMS_ENV=production\nSECRET_KEY=" + "s" * 40 + "\nDATABASE_URL=postgresql://a@h/lms_acme\n"
        "REDIS_URL=redis://h:6379/0\nQUEUE_NAME=lms-acme\nORG_NAME=\"Acme School\"\n"
    )
    config = load_config(instance="acme", environ={"QUEUE_NAME": "override"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg2://a@h/lms_acme"
    assert config["ORG_NAME"] == "Acme School"
    assert config["QUEUE_NAME"] == "override"
    assert config["LMS_INSTANCE"] == "acme"


def test_unknown_or_invalid_instance_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCES_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(instance="nope", environ={})
    with pytest.raises(ConfigError, match="not a valid instance slug"):
        load_config(instance="../etc", environ={})


def test_startup_without_secret_key_exits_with_one_line_naming_it(tmp_path):
    (tmp_path / "broken.env").write_text(
        "LMS_ENV=production\nDATABASE_URL=postgresql://a@h/x\nREDIS_URL=redis://h:6379/0\n"
    )
    env = {"PATH": "/usr/bin:/bin", "LMS_INSTANCE": "broken", "LMS_INSTANCES_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY" in lines[0]


def test_gunicorn_refuses_a_misconfigured_instance_with_one_line(tmp_path):
    (tmp_path / "broken.env").write_text("LMS_ENV=production\nSECRET_KEY=" + "s" * 40 + "\n"
                                         "DATABASE_URL=postgresql://a@h/x\n")
    env = {"PATH": "/usr/bin:/bin", "LMS_INSTANCE": "broken", "LMS_INSTANCES_DIR": str(tmp_path)}
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    result = subprocess.run([gunicorn, "wsgi:app", "--bind", "127.0.0.1:0"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert lines == ["lms: cannot start: REDIS_URL is missing (set it in instances/broken.env)"]


def test_cookies_are_secure_off_the_embedded_default_when_served_over_https():
    assert load_config(instance=None, environ={})["SESSION_COOKIE_SECURE"] is False
    staging = load_config(instance=None, environ={"DATABASE_URL": "postgresql://a@h/x",
                                                  "BASE_URL": "https://staging.example.org"})
    assert staging["SESSION_COOKIE_SECURE"] is True and staging["REMEMBER_COOKIE_SECURE"] is True
    plain = load_config(instance=None, environ={"DATABASE_URL": "postgresql://a@h/x"})
    assert plain["SESSION_COOKIE_SECURE"] is False
