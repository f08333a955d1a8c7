"""Configuration from the environment, with safe defaults for development."""

from __future__ import annotations

import os
import secrets


class ConfigError(RuntimeError):
    """The environment does not describe a runnable site."""


def _secret_key(data_dir: str) -> str:
    # Development: keep a random key in the data directory so sign-ins survive restarts; never in the repo.
    path = os.path.join(data_dir, "secret_key")
    if os.path.exists(path):
        with open(path) as f:
            return f.read().strip()
    os.makedirs(data_dir, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def from_environment(instance_path: str) -> dict:
    """Settings read from HALL_* and related environment variables."""
    env = os.environ.get("HALL_ENV", "development")
    data_dir = os.path.abspath(os.environ.get("HALL_DATA_DIR") or instance_path)
    secret = os.environ.get("SECRET_KEY")
    if not secret:
        if env == "production":
            raise ConfigError("SECRET_KEY must be set when HALL_ENV=production")
        secret = _secret_key(data_dir)
    return {
        "HALL_ENV": env,
        "HALL_DATA_DIR": data_dir,
        "DATABASE_URL": os.environ.get("DATABASE_URL") or None,
        "SECRET_KEY": secret,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "SESSION_COOKIE_SECURE": env == "production",
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (rate limits key on it).
        "PROXY_COUNT": int(os.environ.get("HALL_PROXY_COUNT", "0")),
    }


DEFAULTS = {
    "PASSWORD_HASH_METHOD": "scrypt",
    "LOGIN_RATE_LIMIT": "5 per 15 minutes",
    "PUBLIC_FORM_RATE_LIMIT": "20 per hour",
    "TRACK_RATE_LIMIT": "10 per 15 minutes",
    "CERTIFICATE_CHECK_RATE_LIMIT": "60 per hour",     # public certificate checks per address
    "COMPLAINT_WORKDAYS": 5,    # time limit of complaints and 办不成事反映, in working days from submission
    "HANDOVER_ACK_MINUTES": 30,     # a hand-over (移交) must be acknowledged within this many working minutes
    "INQUIRY_ANSWER_WORKDAYS": 1,   # an inquiry is answered on time within this many working days
    "COMMUNITY_ENGINE_CACHE": 64,   # community engines (pools) each worker keeps open, least recently used dropped
    "INDEX_STREETS_ABOVE": 60,      # with more communities than this, / lists street offices, each linking to its own
    "TIMEBANK_STAR_HOURS": (100, 300, 600, 1000, 1500),    # hours of service for one to five stars (星级)
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": ("zh_CN", "en"),
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
}
