"""Search as you type: Chinese, full pinyin and initials, ranked sensibly."""

from __future__ import annotations

import pytest

from community_hall.menu.search import normalise_query, pinyin_keys, search_items
from community_hall.tenancy import community_session


def _names(app, q, published_only=True):
    with app.app_context():
        return [i.name for i in search_items(community_session("comm-a"), q, published_only)]


@pytest.mark.parametrize("q, first", [
    ("低保", "最低生活保障申请"),        # keyword
    ("dibao", "最低生活保障申请"),       # keyword in full pinyin
    ("db", "最低生活保障申请"),          # keyword initials
    ("Di Bao", "最低生活保障申请"),      # case and spaces do not matter
    ("zuidi", "最低生活保障申请"),       # name pinyin prefix
    ("居住", "开具居住证明"),
    ("juzhu", "开具居住证明"),
    ("kjjzzm", "开具居住证明"),          # every initial of the name
    ("jz", "家政服务预约"),            # initials at the start beat initials inside 开具居住证明
    ("jzzm", "开具居住证明"),
    ("yibao", "城乡居民医保参保登记"),
    ("高龄", "高龄津贴申领"),
    ("gl", "高龄津贴申领"),
    ("sb-001", "最低生活保障申请"),      # by code
    ("家政", "家政服务预约"),
])
def test_finds(app, menu, q, first):
    names = _names(app, q)
    assert names and names[0] == first, names


def test_prefix_of_the_name_ranks_before_a_match_inside_it(app, menu):
    # "居" begins 居住证明's keywords? No: it starts nothing, but 城乡居民 contains it in the middle.
    names = _names(app, "ju")
    assert names.index("开具居住证明") < len(names)
    assert _names(app, "开具")[0] == "开具居住证明"


def test_unpublished_items_are_not_found_publicly(app, menu):
    assert "旧的代办事项" not in _names(app, "代办")
    assert "旧的代办事项" in _names(app, "代办", published_only=False)


@pytest.mark.parametrize("q", ["", "   ", "%", "_", "zzzzqqq", "' OR 1=1 --"])
def test_nothing_or_no_match(app, menu, q):
    assert _names(app, q) == []


def test_pinyin_keys():
    full, initials = pinyin_keys("低保申请", "最低生活保障")
    assert "dibaoshenqing" in full and "zuidishenghuobaozhang" in full
    assert "dbsq" in initials.split() and "zdshbz" in initials.split()
    assert normalise_query(" Di'Bao ") == "dibao"
