"""A community whose menu offers appointments at two windows."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from community_hall.floor import services as floor
from community_hall.menu import services as menu
from community_hall.rosters.services import create_post
from community_hall.tenancy import community_session

SHANGHAI = ZoneInfo("Asia/Shanghai")
ITEMS = [
    {"code": "YY-001", "name": "居住证明预约办理", "category": "证照办理", "channels": "window,appointment", "post": "SB",
     "materials": "身份证 | 原件"},
    {"code": "YY-002", "name": "老年证办理", "category": "福利救助", "channels": "appointment,online"},
    {"code": "CK-001", "name": "只在窗口办理", "category": "证照办理", "channels": "window"},
]


def at(y, mo, d, h=9, mi=0) -> datetime:
    """A moment given in Shanghai time, as the aware UTC datetime the services take."""
    return datetime(y, mo, d, h, mi, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture
def bookable(app, build):
    """comm-a and comm-b with their people; comm-a has bookable items, window A (post SB) and window B."""
    build.two_communities()
    with app.app_context():
        session = community_session("comm-a")
        post = create_post(session, "SB", "社会保障岗", "1号窗口")
        for raw in ITEMS:
            menu.create_item(session, menu.clean_item(raw))
        b = floor.create_window(session, "B", "2号窗口", "综合")
        a = floor.create_window(session, "A", "1号窗口", "社保", post_id=post.id)
        session.commit()
        return SimpleNamespace(a=a.id, b=b.id)
