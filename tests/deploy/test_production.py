"""HALL_ENV=production refuses to start on a missing or weak SECRET_KEY and on demo passwords."""

from __future__ import annotations

import logging
import shutil
import subprocess

import pytest

from community_hall import create_app
from community_hall.config import ConfigError
from community_hall.production import demo_usernames
from tests.deploy.conftest import BIN, ROOT, SECRET, flask_cli, production_env


@pytest.fixture
def prod_env(monkeypatch, tmp_path):
    """Production environment variables on a fresh data directory; returns that directory."""
    for name in ("DATABASE_URL", "HALL_PROXY_COUNT", "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HALL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", SECRET)
    monkeypatch.setenv("HALL_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _start(app_list):
    app = create_app()
    app_list.append(app)
    return app


@pytest.fixture
def started():
    apps = []
    yield apps
    for app in apps:
        app.extensions["tenancy"].dispose()


@pytest.mark.parametrize("key, message", [
    (None, "SECRET_KEY must be set"),
    ("", "SECRET_KEY must be set"),
    ("too-short-but-random-7fz", r"too short \(24 characters; at least 32"),
    ("a" * 64, r"looks weak \(only 1 different characters"),
    ("changeme" * 5, "looks weak"),
])
def test_a_missing_or_weak_secret_key_is_refused(prod_env, monkeypatch, key, message):
    if key is None:
        monkeypatch.delenv("SECRET_KEY")
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError, match=message) as err:
        create_app()
    assert "secrets.token_hex(32)" in str(err.value)
    assert not (prod_env / "secret_key").exists()   # production never falls back to a generated key


def test_weak_keys_are_fine_outside_production(prod_env, monkeypatch, started):
    monkeypatch.setenv("HALL_ENV", "development")
    monkeypatch.setenv("SECRET_KEY", "dev")
    assert _start(started).config["SECRET_KEY"] == "dev"


def test_a_clean_production_site_starts(prod_env, started, caplog):
    with caplog.at_level(logging.WARNING, logger="community_hall.production"):
        app = _start(started)
    assert app.config["HALL_ENV"] == "production" and app.config["SESSION_COOKIE_SECURE"] is True
    # memory:// rate limits are allowed (one machine) but the log says they are per worker.
    assert "memory://" in caplog.text and "number of workers" in caplog.text
    assert app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True


def test_redis_rate_limits_start_without_the_warning(prod_env, monkeypatch, started, caplog):
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:9/0")   # not contacted at start
    with caplog.at_level(logging.WARNING, logger="community_hall.production"):
        _start(started)
    assert "memory://" not in caplog.text


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """A data directory seeded by `hall seed-demo` (once per module; tests copy it)."""
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    result = flask_cli(production_env(data_dir, HALL_ENV="development"), "hall", "seed-demo")
    assert result.returncode == 0, result.stderr
    return data_dir


@pytest.fixture
def _seed_demo(demo_site):
    """Copy the demo site into a data directory; returns the development environment for it."""
    def seed(data_dir):
        shutil.copytree(demo_site, data_dir)
        return production_env(data_dir, HALL_ENV="development")
    return seed


def test_a_site_with_demo_passwords_does_not_start(prod_env, started, _seed_demo):
    _seed_demo(prod_env)
    with pytest.raises(ConfigError, match=r"29 demo account\(s\) still have the demo password") as err:
        create_app()
    assert "hall set-password" in str(err.value)


def test_flask_commands_exit_non_zero_on_refusal(tmp_path, _seed_demo):
    env = _seed_demo(tmp_path / "data")
    result = flask_cli({**env, "HALL_ENV": "production"}, "hall", "init")
    assert result.returncode != 0
    assert "demo password" in result.stderr
    result = flask_cli({**env, "HALL_ENV": "production", "SECRET_KEY": "short"}, "hall", "init")
    assert result.returncode != 0 and "SECRET_KEY is too short" in result.stderr


def test_new_passwords_for_the_demo_accounts_let_production_start(prod_env, started, _seed_demo):
    env = _seed_demo(prod_env)
    names = sorted(demo_usernames())
    assert len(names) == 29
    # One process sets all 29 (29 `hall set-password` runs would be slow); the command is tested below.
    script = ("from community_hall import create_app\n"
              "from community_hall.accounts.models import User\n"
              "from community_hall.accounts.services import set_password\n"
              "from community_hall.tenancy import registry_session\n"
              "app = create_app()\n"
              "with app.app_context():\n"
              f"    for name in {names!r}:\n"
              "        set_password(registry_session().query(User).filter_by(username=name).one(), 'new-' + name)\n")
    subprocess.run([f"{BIN}/python", "-c", script], cwd=ROOT, env=env, check=True, timeout=300)
    app = _start(started)
    assert app.config["HALL_ENV"] == "production"


def test_set_password_command(prod_env, started, _seed_demo):
    env = _seed_demo(prod_env)
    result = flask_cli(env, "hall", "set-password", "jiedao", "--password-stdin", stdin="a-new-secret-9\n")
    assert result.returncode == 0, result.stderr
    assert "New password set for jiedao" in result.stdout
    result = flask_cli(env, "hall", "set-password", "nobody-here", "--password-stdin", stdin="a-new-secret-9\n")
    assert result.returncode != 0 and "Unknown user: nobody-here" in result.stderr
    result = flask_cli(env, "hall", "set-password", "jiedao", "--password-stdin", stdin="short\n")
    assert result.returncode != 0 and "密码至少需要8个字符" in result.stderr
    # jiedao is fixed, the 28 others are not: still refused, and jiedao is no longer named.
    with pytest.raises(ConfigError, match=r"28 demo account\(s\)") as err:
        create_app()
    assert "jiedao" not in str(err.value)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    return request.param


def test_the_demo_check_on_both_backends(app_config, backend, build, started):
    from community_hall.accounts.services import DEMO_PASSWORD

    production = {**app_config, "HALL_ENV": "production", "SECRET_KEY": SECRET}
    started.append(create_app(production))       # migrated registry, no users: starts
    build.community("comm-a")
    build.user("yangliu-staff2", "comm-a", "staff", password="password123")   # a demo name, a real password
    build.user("not-a-demo-name", "comm-a", "staff", password=DEMO_PASSWORD)  # cannot sign in in production
    started.append(create_app(production))
    build.user("qinghe-head", "comm-a", "head", password=DEMO_PASSWORD)
    with pytest.raises(ConfigError, match=r"1 demo account\(s\) still have the demo password \(qinghe-head\)"):
        create_app(production)


def test_a_database_without_a_registry_starts(app_config, started, tmp_path):
    app = create_app({**app_config, "HALL_DATA_DIR": str(tmp_path / "fresh"), "HALL_ENV": "production",
                      "SECRET_KEY": SECRET})
    started.append(app)
    assert app.config["HALL_ENV"] == "production"     # `hall init` / `hall import` can then run
