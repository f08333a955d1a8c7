"""Configuration from the environment, with safe defaults for development."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta


class ConfigError(RuntimeError):
    """The environment does not describe a runnable site."""


# A production key must be long and varied: `python -c "import secrets; print(secrets.token_hex(32))"`.
MIN_SECRET_KEY = 32
MIN_SECRET_KEY_DISTINCT = 10


def check_secret_key(secret: str | None) -> None:
    """Raise ConfigError when a production SECRET_KEY is missing, short or obviously not random."""
    advice = 'generate one with: python -c "import secrets; print(secrets.token_hex(32))"'
    if not secret:
        raise ConfigError(f"SECRET_KEY must be set when HALL_ENV=production; {advice}")
    if len(secret) < MIN_SECRET_KEY:
        raise ConfigError(f"SECRET_KEY is too short ({len(secret)} characters; at least {MIN_SECRET_KEY} "
                          f"are needed when HALL_ENV=production); {advice}")
    if len(set(secret)) < MIN_SECRET_KEY_DISTINCT:
        raise ConfigError(f"SECRET_KEY looks weak (only {len(set(secret))} different characters; "
                          f"at least {MIN_SECRET_KEY_DISTINCT} are needed when HALL_ENV=production); {advice}")


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
    if env == "production":
        check_secret_key(secret)
    elif not secret:
        secret = _secret_key(data_dir)
    return {
        "HALL_ENV": env,
        "HALL_DATA_DIR": data_dir,
        "DATABASE_URL": os.environ.get("DATABASE_URL") or None,
        "SECRET_KEY": secret,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_SECURE": env == "production",
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (rate limits key on it).
        "PROXY_COUNT": int(os.environ.get("HALL_PROXY_COUNT", "0")),
        # Open311 POSTs per API key; an integrator that submits in bulk (or the benchmark) needs more.
        "API_RATE_LIMIT": os.environ.get("HALL_API_RATE_LIMIT", DEFAULTS["API_RATE_LIMIT"]),
        **{key: int(os.environ[f"HALL_{key}"]) for key in SESSION_LIMITS if os.environ.get(f"HALL_{key}")},
    }


SESSION_LIMITS = ("SESSION_IDLE_MINUTES_STAFF", "SESSION_LIFETIME_HOURS_STAFF", "SESSION_IDLE_MINUTES",
                  "SESSION_LIFETIME_HOURS")


DEFAULTS = {
    "PASSWORD_HASH_METHOD": "scrypt",
    "LOGIN_RATE_LIMIT": "5 per 15 minutes",
    "PUBLIC_FORM_RATE_LIMIT": "20 per hour",
    "TRACK_RATE_LIMIT": "10 per 15 minutes",
    # Wrong proofs (number + phone digits) of one ticket number from any address; then that number answers "too
    # many attempts" to everybody, the right proof too, until the window ends. Shared by the workers through
    # RATELIMIT_STORAGE_URI.
    "TRACK_TICKET_FAILURE_LIMIT": "5 per hour",
    "API_RATE_LIMIT": "60 per minute",      # Open311 POSTs per API key
    "CERTIFICATE_CHECK_RATE_LIMIT": "60 per hour",     # public certificate checks per address
    "DONATION_LOOKUP_RATE_LIMIT": "20 per hour",       # gifts to a person (each looks one up) per signed-in user
    "COMPLAINT_WORKDAYS": 5,    # time limit of complaints and 办不成事反映, in working days from submission
    "HANDOVER_ACK_MINUTES": 30,     # a hand-over (移交) must be acknowledged within this many working minutes
    "INQUIRY_ANSWER_WORKDAYS": 1,   # an inquiry is answered on time within this many working days
    "PAGE_CACHE": True,                 # rendered public pages and fragments kept per worker (pagecache.py)
    "PAGE_CACHE_BYTES": 16 * 1024 * 1024,   # per worker
    "PAGE_CACHE_SECONDS": 60,           # the longest a page is kept, also when a write escaped the stamps
    "COMMUNITY_ENGINE_CACHE": 64,   # community engines (pools) each worker keeps open, least recently used dropped
    "INDEX_STREETS_ABOVE": 60,      # with more communities than this, / lists street offices, each linking to its own
    "TIMEBANK_STAR_HOURS": (100, 300, 600, 1000, 1500),    # hours of service for one to five stars (星级)
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": ("zh_CN", "en"),
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    # Sessions end on the server (accounts/signins.py): after this idle time, and at this lifetime at the latest.
    # Staff and above (staff, head, street office) hold other people's data: shorter limits.
    "SESSION_IDLE_MINUTES_STAFF": 30,
    "SESSION_LIFETIME_HOURS_STAFF": 12,
    "SESSION_IDLE_MINUTES": 7 * 24 * 60,
    "SESSION_LIFETIME_HOURS": 30 * 24,
    "PERMANENT_SESSION_LIFETIME": timedelta(days=30),     # the cookie's own limit: never longer than a sign-in
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    # A rate-limit store outage (Redis down) must not take the site down: each worker counts in memory
    # until the store answers again (limits are then per worker, not shared; see docs/operations.md).
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
}
