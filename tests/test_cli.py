"""The admin CLI: scriptable, clear errors with a non-zero exit and nothing changed."""

from __future__ import annotations

import pytest

from community_hall.accounts.models import Membership, User
from community_hall.tenancy import all_communities, get_community, registry_session


def _count(app, model):
    with app.app_context():
        return registry_session().query(model).count()


def test_init_creates_the_registry(runner, app):
    result = runner.invoke(args=["hall", "init"])
    assert result.exit_code == 0, result.output
    assert app.config["HALL_DATA_DIR"] in result.output


def test_create_community(runner, app):
    result = runner.invoke(args=["hall", "create-community", "yangliu", "--name", "杨柳社区",
                                 "--households", "2380", "--residents", "6912"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        c = get_community("yangliu")
        assert (c.name, c.households, c.residents) == ("杨柳社区", 2380, 6912)


@pytest.mark.parametrize("args", [
    ["Bad_Slug", "--name", "X"],
    ["a", "--name", "X"],
    ["ok-slug", "--name", "X", "--households", "-5"],
    ["ok-slug"],
])
def test_create_community_rejects_bad_input(runner, app, args):
    result = runner.invoke(args=["hall", "create-community", *args])
    assert result.exit_code != 0
    with app.app_context():
        assert all_communities() == []


def test_create_community_rejects_a_duplicate(runner, app, build):
    build.community("yangliu", "杨柳社区")
    result = runner.invoke(args=["hall", "create-community", "yangliu", "--name", "另一个"])
    assert result.exit_code != 0
    with app.app_context():
        assert get_community("yangliu").name == "杨柳社区"


def test_create_user_reads_the_password_from_stdin(runner, app, build, client, auth):
    build.community("yangliu")
    result = runner.invoke(args=["hall", "create-user", "zhangmin", "--community", "yangliu", "--role", "staff",
                                 "--password-stdin", "--name", "张敏"], input="a-long-password\n")
    assert result.exit_code == 0, result.output
    assert auth.login("zhangmin", "a-long-password").status_code == 302


@pytest.mark.parametrize("args, stdin", [
    (["zhangmin", "--community", "nowhere", "--role", "staff", "--password-stdin"], "a-long-password\n"),
    (["zhangmin", "--community", "Bad!", "--role", "staff", "--password-stdin"], "a-long-password\n"),
    (["zhangmin", "--community", "yangliu", "--role", "mayor", "--password-stdin"], "a-long-password\n"),
    (["zhangmin", "--community", "yangliu", "--role", "staff", "--password-stdin"], "short\n"),
    (["zhangmin", "--community", "yangliu", "--role", "staff", "--password-stdin"], ""),
    (["zhangmin", "--community", "yangliu", "--role", "staff"], ""),  # no tty, no --password-stdin
    (["x", "--community", "yangliu", "--role", "staff", "--password-stdin"], "a-long-password\n"),
])
def test_create_user_rejects_bad_input(runner, app, build, args, stdin):
    build.community("yangliu")
    before = _count(app, User), _count(app, Membership)
    result = runner.invoke(args=["hall", "create-user", *args], input=stdin)
    assert result.exit_code != 0
    assert (_count(app, User), _count(app, Membership)) == before


def test_create_user_rejects_a_duplicate(runner, app, build):
    build.community("yangliu")
    build.user("zhangmin", "yangliu", "staff")
    result = runner.invoke(args=["hall", "create-user", "zhangmin", "--community", "yangliu", "--role", "head",
                                 "--password-stdin"], input="a-long-password\n")
    assert result.exit_code != 0
    assert _count(app, Membership) == 1


def test_grant_role_adds_a_second_community(runner, app, build):
    build.community("comm-a")
    build.community("comm-b")
    build.user("wang", "comm-a", "resident")
    assert runner.invoke(args=["hall", "grant-role", "wang", "--community", "comm-b", "--role", "resident"]).exit_code == 0
    assert runner.invoke(args=["hall", "grant-role", "wang", "--community", "comm-b", "--role", "resident"]).exit_code != 0
    assert runner.invoke(args=["hall", "grant-role", "nobody", "--community", "comm-b", "--role", "staff"]).exit_code != 0
    assert _count(app, Membership) == 2


def test_seed_demo_creates_three_communities_once(runner, app):
    result = runner.invoke(args=["hall", "seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        communities = all_communities()
        assert {c.slug for c in communities} == {"yangliu", "qinghe", "jinxiu"}
        assert all(c.households > 1000 and c.residents > c.households for c in communities)
        roles = {r for (r,) in registry_session().query(Membership.role).distinct()}
        assert roles == {"resident", "staff", "head", "district"}
        from community_hall.menu.models import ServiceItem
        from community_hall.tenancy import community_session

        for c in communities:
            items = community_session(c.slug).query(ServiceItem).filter_by(published=True).all()
            assert len(items) >= 25 and len({i.category_id for i in items}) >= 7
            assert any(i.name.startswith("最低生活保障") for i in items)
    users = _count(app, User)
    again = runner.invoke(args=["hall", "seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "not added" in again.output
    assert runner.invoke(args=["hall", "seed-demo"]).exit_code == 0  # skips what exists
    assert _count(app, User) == users


def test_seed_demo_is_refused_in_production(runner, app):
    app.config["HALL_ENV"] = "production"
    result = runner.invoke(args=["hall", "seed-demo"])
    assert result.exit_code != 0
    with app.app_context():
        assert all_communities() == []


def test_hall_data_dir_is_honoured(monkeypatch, tmp_path):
    from community_hall import create_app

    monkeypatch.setenv("HALL_DATA_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("HALL_ENV", raising=False)
    app = create_app()
    assert app.config["HALL_DATA_DIR"] == str(tmp_path / "elsewhere")
    result = app.test_cli_runner().invoke(args=["hall", "init"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "elsewhere" / "hall.sqlite3").exists()
    assert (tmp_path / "elsewhere" / "secret_key").exists()  # generated, never in the repo
    app.extensions["tenancy"].dispose()
