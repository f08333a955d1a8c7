"""The public menu, item pages, and heads managing items."""

from __future__ import annotations

import re

import pytest

from community_hall.menu import services
from community_hall.menu.models import ServiceItem
from community_hall.tenancy import community_session


def _item(app, code):
    with app.app_context():
        return services.item_by_code(community_session("comm-a"), code)


def test_public_menu_lists_published_items_by_category(client, menu):
    html = client.get("/c/comm-a/menu/").get_data(as_text=True)
    assert "最低生活保障申请" in html and "社会保障" in html and "居家服务" in html
    assert "旧的代办事项" not in html
    # Categories in their configured order: 证照办理 before 社会保障 before 福利救助.
    assert html.index("证照办理") < html.index("社会保障") < html.index("福利救助")


def test_search_without_javascript_gives_the_whole_page(client, menu):
    response = client.get("/c/comm-a/menu/?q=dibao")
    html = response.get_data(as_text=True)
    assert "<html" in html and "最低生活保障申请" in html and "开具居住证明" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_search_gives_only_the_results(client, menu):
    html = client.get("/c/comm-a/menu/?q=jz", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in html and "开具居住证明" in html


def test_item_page_tells_everything_at_once(client, menu):
    html = client.get("/c/comm-a/menu/SB-001?lang=en").get_data(as_text=True)
    for text in ("最低生活保障申请", "身份证", "original and copy", "户口簿", "收入证明", "本人及家庭成员",
                 "Within 5 working days", "社会保障岗", "2号窗口", "At the window", "Proxy handling", "Free"):
        assert text in html, text
    assert client.get("/c/comm-a/menu/sb-001").status_code == 200  # codes are case-insensitive


def test_unpublished_and_unknown_items_are_404_for_the_public(client, auth, menu):
    assert client.get("/c/comm-a/menu/DB-999").status_code == 404
    assert client.get("/c/comm-a/menu/NOPE").status_code == 404
    assert client.get("/c/comm-b/menu/SB-001").status_code == 404  # another community's item
    auth.login("head-a")
    assert client.get("/c/comm-a/menu/DB-999").status_code == 200


def test_item_page_prints_on_a4(client, menu):
    response = client.get("/static/css/hall.css")
    css = response.get_data(as_text=True)
    response.close()
    assert "@media print" in css and "size: A4" in css


@pytest.mark.parametrize("username", ["staff-a", "res-a"])
def test_only_heads_manage_the_menu(client, auth, menu, username):
    auth.login(username)
    assert client.get("/c/comm-a/menu/manage").status_code == 403
    assert auth.post("/c/comm-a/menu/SB-001/publish", {"published": "0"}).status_code == 403


NEW = {"code": "ZJ-002", "name": "开具亲属关系证明", "category": "证照办理",
       "materials": "身份证 | 原件\n户口簿 | 原件和复印件",
       "steps": "提交申请\n核实\n出具证明", "time_limit": "2", "time_unit": "workdays", "post": "SB",
       "channels": ["window", "online"], "fee_kind": "free", "duty_list": "self_governance", "provider": "station",
       "published": "y"}


def test_head_creates_and_edits_an_item(app, client, auth, menu):
    auth.login("head-a")
    assert client.get("/c/comm-a/menu/new").status_code == 200
    response = auth.post("/c/comm-a/menu/new", NEW)
    assert response.status_code == 302, response.get_data(as_text=True)
    item = _item(app, "ZJ-002")
    assert item.name == "开具亲属关系证明" and [m.name for m in item.materials] == ["身份证", "户口簿"]
    assert item.channel_list == ["window", "online"] and item.post.code == "SB"
    edit_page = client.get("/c/comm-a/menu/ZJ-002/edit").get_data(as_text=True)
    assert "户口簿 | 原件和复印件" in edit_page
    response = auth.post("/c/comm-a/menu/ZJ-002/edit",
                         {**NEW, "name": "开具亲属关系证明（新）", "materials": "户口簿 | 原件"})
    assert response.status_code == 302
    item = _item(app, "ZJ-002")
    assert item.name == "开具亲属关系证明（新）" and [m.name for m in item.materials] == ["户口簿"]
    assert "dbsq" not in item.search_initials and "kjqsgxzm" in item.search_initials


@pytest.mark.parametrize("change, field", [
    ({"code": "SB-001"}, "code"),                          # taken
    ({"code": "bad code!"}, "code"),
    ({"materials": "身份证 | 扫描件"}, "materials"),         # unknown form
    ({"channels": []}, "channels"),
    ({"name": ""}, "name"),
    ({"time_limit": "400"}, "time_limit"),
])
def test_bad_items_are_refused_with_the_reason_and_nothing_saved(app, client, auth, menu, change, field):
    auth.login("head-a")
    with app.app_context():
        before = community_session("comm-a").query(ServiceItem).count()
    response = auth.post("/c/comm-a/menu/new", {**NEW, **change})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="error-summary"' in html
    assert re.search(rf'id="{field}-error"|href="#{field}', html), field
    with app.app_context():
        assert community_session("comm-a").query(ServiceItem).count() == before


def test_unpublish_and_publish(app, client, auth, menu):
    auth.login("head-a")
    response = auth.post("/c/comm-a/menu/SB-001/publish", {"published": "0"})
    assert response.status_code == 303
    assert _item(app, "SB-001").published is False
    assert "最低生活保障申请" not in client.get("/c/comm-a/menu/").get_data(as_text=True)
    fragment = auth.post("/c/comm-a/menu/SB-001/publish", {"published": "1"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert _item(app, "SB-001").published is True


def test_reorder_within_a_category(app, client, auth, menu):
    def order():
        with app.app_context():
            groups = services.menu_by_category(community_session("comm-a"), published_only=False)
            return {c.name: [i.code for i in items] for c, items in groups}["社会保障"]

    assert order() == ["SB-001", "SB-002"]
    auth.login("head-a")
    auth.post("/c/comm-a/menu/SB-002/move", {"direction": "-1"})
    assert order() == ["SB-002", "SB-001"]
    auth.post("/c/comm-a/menu/SB-002/move", {"direction": "-1"})  # already first: nothing changes
    assert order() == ["SB-002", "SB-001"]
    auth.post("/c/comm-a/menu/SB-002/move", {"direction": "1"})
    assert order() == ["SB-001", "SB-002"]
    assert client.get("/c/comm-a/menu/").get_data(as_text=True).index("最低生活保障") < \
        client.get("/c/comm-a/menu/").get_data(as_text=True).index("城乡居民医保")


def test_new_communities_start_with_the_default_categories(app, build):
    from community_hall.menu.models import Category

    build.community("fresh")
    with app.app_context():
        names = [c.name for c in community_session("fresh").query(Category).order_by(Category.position)]
    assert names == list(services.DEFAULT_CATEGORIES)


def test_heads_add_and_reorder_categories(app, client, auth, menu):
    from community_hall.menu.models import Category

    def names():
        with app.app_context():
            return [c.name for c in community_session("comm-a").query(Category).order_by(Category.position)]

    auth.login("head-a")
    assert auth.post("/c/comm-a/menu/categories", {"name": "社区教育"}).status_code == 303
    assert names()[-1] == "社区教育"
    assert "社区教育" in client.get("/c/comm-a/menu/manage").get_data(as_text=True)  # shown while still empty
    assert "社区教育" not in client.get("/c/comm-a/menu/").get_data(as_text=True)     # the public sees no empty heading
    auth.post("/c/comm-a/menu/categories", {"name": "社区教育"})                       # a duplicate changes nothing
    assert names().count("社区教育") == 1
    with app.app_context():
        cid = community_session("comm-a").query(Category).filter_by(name="社区教育").one().id
    auth.post(f"/c/comm-a/menu/categories/{cid}/move", {"direction": "-1"})
    assert names()[-2] == "社区教育"
    assert auth.post("/c/comm-a/menu/NEWCAT/edit", {}).status_code == 404
    auth.logout()
    auth.login("staff-a")
    assert auth.post("/c/comm-a/menu/categories", {"name": "X"}).status_code == 403


def test_manage_page_offers_up_and_down_only_where_they_move_something(client, auth, menu):
    auth.login("head-a")
    html = client.get("/c/comm-a/menu/manage").get_data(as_text=True)
    # 社会保障 holds SB-001 then SB-002: the first can only go down, the second only up.
    assert 'action="/c/comm-a/menu/SB-001/move"' in html and 'action="/c/comm-a/menu/SB-002/move"' in html
    first = html[html.index("SB-001/move"):html.index("SB-002/move")]
    assert 'value="1"' in first and 'value="-1"' not in first
    second = html[html.index("SB-002/move"):]
    second = second[:second.index("</td>")]
    assert 'value="-1"' in second and 'value="1"' not in second
