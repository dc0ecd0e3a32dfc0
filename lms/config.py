"""Settings for one organization instance.

Sources, lowest priority first: built-in defaults, ``instances/<slug>.env``
(chosen by ``LMS_INSTANCE``), then the real process environment.  Without an
instance the app runs on the embedded default: SQLite under ``var/``, no Redis
(jobs run inline) and email written to the log.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"


def instances_dir() -> Path:
    """Where ``<slug>.env`` files live (``LMS_INSTANCES_DIR`` overrides, e.g. in tests)."""
    return Path(os.environ.get("LMS_INSTANCES_DIR") or PROJECT_ROOT / "instances")

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")

# Values that must never reach production as a SECRET_KEY.
PLACEHOLDER_SECRETS = {
    "",
    "dev",
    "secret",
    "changeme",
    "change-me",
    "replace-me",
    "dev-insecure-secret-key",
    "please-change-this-secret-key",
}
DEV_SECRET_KEY = "dev-insecure-secret-key"  # noqa: S105 - refused in production
MIN_SECRET_LENGTH = 32

# Variables read from the env file / environment, with their defaults.
ENV_DEFAULTS: dict[str, str] = {
    "LMS_ENV": "development",
    "SECRET_KEY": "",
    "DATABASE_URL": "",
    "REDIS_URL": "",
    "QUEUE_NAME": "lms-default",
    "BASE_URL": "http://127.0.0.1:5000",
    "PORT": "5000",
    "WEB_WORKERS": "2",
    "ORG_NAME": "Demo School",
    "ORG_TIMEZONE": "Asia/Bangkok",
    "ORG_LOCALE": "en",
    "MAIL_BACKEND": "console",
    "MAIL_SERVER": "",
    "MAIL_PORT": "587",
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_USE_TLS": "true",
    "MAIL_FROM": "LMS <no-reply@example.org>",
    "STORAGE_DIR": "",
    # Largest upload per kind of resource (MB), and the most pixels an uploaded image may have.
    "UPLOAD_MAX_IMAGE_MB": "10",
    "UPLOAD_MAX_DOCUMENT_MB": "25",
    "UPLOAD_MAX_AUDIO_MB": "50",
    "UPLOAD_MAX_VIDEO_MB": "200",
    "UPLOAD_MAX_IMAGE_PIXELS": "40000000",
    # The most memory (address space, MB) ffmpeg may use to make a video's poster frame.
    "THUMBNAIL_MEMORY_MB": "1024",
    # Virus scanning with ClamAV's clamd (off unless one of these is set): a unix socket, or host + port.
    "CLAMAV_SOCKET": "",
    "CLAMAV_HOST": "",
    "CLAMAV_PORT": "3310",
    "CLAMAV_TIMEOUT": "60",
    "LOG_LEVEL": "INFO",
    # Reverse proxies in front of gunicorn whose X-Forwarded-* headers are trusted
    # (default: 1 in production, where gunicorn only listens on 127.0.0.1 behind the proxy).
    "PROXY_HOPS": "",
}


class ConfigError(Exception):
    """The instance cannot start: the message names the variable to fix."""


def normalise_database_url(url: str) -> str:
    """SQLAlchemy 2.1 maps ``postgresql://`` to psycopg 3; this stack uses psycopg2."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


def instance_env_path(slug: str) -> Path:
    return instances_dir() / f"{slug}.env"


def read_settings(instance: str | None = None, environ: dict | None = None) -> dict[str, str]:
    """Raw string settings, merged from defaults, the instance file and the environment."""
    environ = dict(os.environ if environ is None else environ)
    instance = instance if instance is not None else environ.get("LMS_INSTANCE") or None
    values = dict(ENV_DEFAULTS)
    if instance:
        if not SLUG_RE.match(instance):
            raise ConfigError(f"LMS_INSTANCE={instance!r} is not a valid instance slug ([a-z0-9-])")
        path = instance_env_path(instance)
        if not path.exists():
            raise ConfigError(f"LMS_INSTANCE={instance}: {path} does not exist")
        values.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    for key in ENV_DEFAULTS:
        if key in environ:
            values[key] = environ[key]
    # Single sign-on settings have names made from the provider's name (OIDC_<NAME>_...).
    values.update({key: value for key, value in environ.items() if key.startswith("OIDC_")})
    values["LMS_INSTANCE"] = instance or ""
    return values


def _truthy(value: str) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def validate(values: dict[str, str]) -> None:
    """Refuse to start a production instance that lacks what it needs."""
    if values["LMS_ENV"] != "production":
        return
    where = f" (set it in instances/{values['LMS_INSTANCE']}.env)" if values["LMS_INSTANCE"] else ""
    secret = values["SECRET_KEY"]
    if not secret:
        raise ConfigError(f"SECRET_KEY is missing{where}")
    if secret.strip().lower() in PLACEHOLDER_SECRETS or len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"SECRET_KEY is a placeholder or shorter than {MIN_SECRET_LENGTH} characters{where}"
        )
    if not values["DATABASE_URL"]:
        raise ConfigError(f"DATABASE_URL is missing{where}")
    if not values["DATABASE_URL"].startswith(("postgres://", "postgresql")):
        raise ConfigError(f"DATABASE_URL must be a PostgreSQL URL in production{where}")
    if not values["REDIS_URL"]:
        raise ConfigError(f"REDIS_URL is missing{where}")
    if not values["BASE_URL"].startswith(("http://", "https://")):
        raise ConfigError(f"BASE_URL must start with http:// or https://{where}")
    if values["MAIL_BACKEND"] not in {"smtp", "console"}:
        raise ConfigError(f"MAIL_BACKEND must be 'smtp' or 'console'{where}")
    if values["MAIL_BACKEND"] == "smtp" and not values["MAIL_SERVER"]:
        raise ConfigError(f"MAIL_SERVER is missing (MAIL_BACKEND=smtp){where}")


# --- single sign-on (OpenID Connect) ------------------------------------------------------

OIDC_NAME_RE = re.compile(r"^[a-z][a-z0-9]{0,19}$")
OIDC_KNOWN_NAMES = {"google": "Google", "microsoft": "Microsoft"}
OIDC_AUTO_CREATE_ROLES = ("STUDENT", "TEACHER", "PARENT")  # never ADMIN
OIDC_DOMAIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")


def parse_oidc_providers(values: dict[str, str]) -> dict[str, dict]:
    """The OpenID Connect providers named in ``OIDC_PROVIDERS`` (comma-separated), in that order.

    For each name, e.g. ``google``: ``OIDC_GOOGLE_ISSUER`` (the issuer URL, whose
    ``/.well-known/openid-configuration`` is the discovery document), ``OIDC_GOOGLE_CLIENT_ID``,
    ``OIDC_GOOGLE_CLIENT_SECRET`` (required); ``OIDC_GOOGLE_NAME`` (the button's label),
    ``OIDC_GOOGLE_AUTO_CREATE_DOMAINS`` (email domains whose unknown, verified addresses get an
    account), ``OIDC_GOOGLE_AUTO_CREATE_ROLE`` (STUDENT by default; TEACHER or PARENT; never ADMIN)
    and ``OIDC_GOOGLE_EMAIL_VERIFIED_CLAIM`` (``email_verified`` by default) are optional.
    """
    production = values.get("LMS_ENV") == "production"
    where = f" (in instances/{values['LMS_INSTANCE']}.env)" if values.get("LMS_INSTANCE") else ""
    names = [name.strip().lower() for name in (values.get("OIDC_PROVIDERS") or "").split(",") if name.strip()]
    providers: dict[str, dict] = {}
    for name in names:
        if not OIDC_NAME_RE.match(name):
            raise ConfigError(f"OIDC_PROVIDERS: {name!r} is not a valid provider name "
                              f"(a-z and digits, starting with a letter){where}")
        if name in providers:
            raise ConfigError(f"OIDC_PROVIDERS names {name!r} twice{where}")
        prefix = f"OIDC_{name.upper()}_"

        def setting(key: str, default: str = "", prefix=prefix) -> str:
            return (values.get(prefix + key) or default).strip()

        for key in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET"):
            if not setting(key):
                raise ConfigError(f"{prefix}{key} is missing: OIDC_PROVIDERS names {name!r}{where}")
        issuer = setting("ISSUER").rstrip("/")
        if not issuer.startswith(("https://", "http://")) or (production and not issuer.startswith("https://")):
            raise ConfigError(f"{prefix}ISSUER must be an {'https' if production else 'http(s)'}:// URL, "
                              f"not {issuer!r}{where}")
        role = setting("AUTO_CREATE_ROLE", "STUDENT").upper()
        if role not in OIDC_AUTO_CREATE_ROLES:
            raise ConfigError(f"{prefix}AUTO_CREATE_ROLE must be one of {', '.join(OIDC_AUTO_CREATE_ROLES)} "
                              f"(administrator accounts are never created by sign-in), not {role!r}{where}")
        domains = tuple(d.strip().lower().lstrip("@") for d in setting("AUTO_CREATE_DOMAINS").split(",")
                        if d.strip())
        for domain in domains:
            if not OIDC_DOMAIN_RE.match(domain):
                raise ConfigError(f"{prefix}AUTO_CREATE_DOMAINS: {domain!r} is not an email domain{where}")
        providers[name] = {
            "name": name,
            "label": setting("NAME", OIDC_KNOWN_NAMES.get(name, name.capitalize())),
            "issuer": issuer,
            "client_id": setting("CLIENT_ID"),
            "client_secret": setting("CLIENT_SECRET"),
            "auto_create_domains": domains,
            "auto_create_role": role,
            "email_verified_claim": setting("EMAIL_VERIFIED_CLAIM", "email_verified"),
        }
    return providers


def _positive_number(values: dict[str, str], key: str) -> float:
    try:
        number = float(values[key])
    except ValueError:
        number = 0
    if number <= 0:
        raise ConfigError(f"{key} must be a positive number, not {values[key]!r}")
    return number


def load_config(instance: str | None = None, environ: dict | None = None) -> dict:
    """Flask config for an instance (or the embedded default), validated."""
    values = read_settings(instance, environ)
    validate(values)
    production = values["LMS_ENV"] == "production"
    embedded = not values["LMS_INSTANCE"] and not values["DATABASE_URL"]
    secure_cookies = production or (not embedded and values["BASE_URL"].startswith("https://"))
    database_url = values["DATABASE_URL"] or f"sqlite:///{VAR_DIR / 'lms.sqlite3'}"
    storage_dir = values["STORAGE_DIR"] or str(
        VAR_DIR / "storage" / (values["LMS_INSTANCE"] or "default")
    )
    return {
        "LMS_ENV": values["LMS_ENV"],
        "LMS_INSTANCE": values["LMS_INSTANCE"],
        "LMS_EMBEDDED": embedded,
        "SECRET_KEY": values["SECRET_KEY"] or DEV_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "REDIS_URL": values["REDIS_URL"],
        "QUEUE_NAME": values["QUEUE_NAME"],
        "BASE_URL": values["BASE_URL"].rstrip("/"),
        "PORT": int(values["PORT"]),
        "WEB_WORKERS": int(values["WEB_WORKERS"]),
        "ORG_NAME": values["ORG_NAME"],
        "ORG_TIMEZONE": values["ORG_TIMEZONE"],
        "ORG_LOCALE": values["ORG_LOCALE"],
        "MAIL_BACKEND": values["MAIL_BACKEND"],
        "MAIL_SERVER": values["MAIL_SERVER"],
        "MAIL_PORT": int(values["MAIL_PORT"] or 587),
        "MAIL_USERNAME": values["MAIL_USERNAME"],
        "MAIL_PASSWORD": values["MAIL_PASSWORD"],
        "MAIL_USE_TLS": _truthy(values["MAIL_USE_TLS"]),
        "MAIL_FROM": values["MAIL_FROM"],
        "STORAGE_DIR": storage_dir,
        **{key: _positive_number(values, key) for key in ("UPLOAD_MAX_IMAGE_MB", "UPLOAD_MAX_DOCUMENT_MB",
                                                          "UPLOAD_MAX_AUDIO_MB", "UPLOAD_MAX_VIDEO_MB")},
        "UPLOAD_MAX_IMAGE_PIXELS": int(_positive_number(values, "UPLOAD_MAX_IMAGE_PIXELS")),
        "THUMBNAIL_MEMORY_MB": _positive_number(values, "THUMBNAIL_MEMORY_MB"),
        "CLAMAV_SOCKET": values["CLAMAV_SOCKET"].strip(),
        "CLAMAV_HOST": values["CLAMAV_HOST"].strip(),
        "CLAMAV_PORT": int(_positive_number(values, "CLAMAV_PORT")),
        "CLAMAV_TIMEOUT": _positive_number(values, "CLAMAV_TIMEOUT"),
        "LOG_LEVEL": values["LOG_LEVEL"],
        "PROXY_HOPS": int(values["PROXY_HOPS"] or (1 if production else 0)),
        "OIDC_PROVIDERS": parse_oidc_providers(values),
        # Secure cookies everywhere but on the embedded default and plain-http development instances.
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_SECURE": secure_cookies,
    }
