"""The site index: a flat list for a small site, street offices first for a large one."""

from __future__ import annotations

import pytest


@pytest.fixture
def site(app, build):
    """Five communities in two street offices and one naming none; streets listed above three communities."""
    app.config["INDEX_STREETS_ABOVE"] = 3
    for slug, name, street in (("jinxiu", "锦绣社区", "东城街道"), ("yangliu", "杨柳社区", "东城街道"),
                               ("heping", "和平社区", "西城街道"), ("beiyuan", "北苑社区", "西城街道"),
                               ("gucheng", "古城社区", None)):
        build.community(slug, name, street=street)


def test_a_small_site_lists_every_community(app, client, site):
    app.config["INDEX_STREETS_ABOVE"] = 60
    html = client.get("/").get_data(as_text=True)
    for slug in ("jinxiu", "yangliu", "heping", "beiyuan", "gucheng"):
        assert f'href="/c/{slug}/"' in html
    assert "?street=" not in html


def test_a_large_site_lists_street_offices_with_their_counts(client, site):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert 'href="/c/' not in html
    assert html.index("东城街道") < html.index("西城街道") < html.index("Communities without a street office")
    assert html.count("Communities: 2") == 2 and html.count("Communities: 1") == 1


def test_a_street_lists_its_own_communities(client, site):
    html = client.get("/?street=西城街道").get_data(as_text=True)
    assert 'href="/c/heping/"' in html and 'href="/c/beiyuan/"' in html
    assert 'href="/c/jinxiu/"' not in html and 'href="/c/gucheng/"' not in html
    assert html.index("北苑社区") < html.index("和平社区")    # by slug, which is pinyin
    html = client.get("/?street=-").get_data(as_text=True)
    assert 'href="/c/gucheng/"' in html and 'href="/c/heping/"' not in html


def test_an_unknown_street_is_a_404(client, site):
    assert client.get("/?street=南城街道").status_code == 404
