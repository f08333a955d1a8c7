"""A community with a post and a few menu items."""

import pytest

from community_hall.menu import services
from community_hall.rosters.services import create_post
from community_hall.tenancy import community_session

ITEMS = [
    {"code": "SB-001", "name": "最低生活保障申请", "category": "社会保障", "keywords": "低保,救助", "time_limit": "5",
     "post": "SB", "channels": "window,proxy",
     "materials": "身份证 | 原件和复印件 | 本人及家庭成员\n户口簿 | 复印件\n收入证明 | 原件"},
    {"code": "ZJ-001", "name": "开具居住证明", "category": "证照办理", "time_limit": "1", "channels": "window,online",
     "materials": "身份证 | 原件"},
    {"code": "FL-001", "name": "高龄津贴申领", "category": "福利救助", "keywords": "老年补贴", "time_limit": "10"},
    {"code": "SB-002", "name": "城乡居民医保参保登记", "category": "社会保障", "keywords": "医保", "time_limit": "0"},
    {"code": "JJ-001", "name": "家政服务预约", "category": "居家服务", "time_limit": "24", "time_unit": "hours",
     "fee_kind": "paid", "fee_note": "按小时收费", "provider": "partner", "provider_name": "和美家政"},
    {"code": "DB-999", "name": "旧的代办事项", "category": "居家服务", "published": "no"},
]


@pytest.fixture
def menu(app, build):
    """Community comm-a (with head-a, staff-a, res-a) and comm-b, and comm-a's menu."""
    build.two_communities()
    with app.app_context():
        session = community_session("comm-a")
        create_post(session, "SB", "社会保障岗", "2号窗口")
        for raw in ITEMS:
            services.create_item(session, services.clean_item(raw))
        session.commit()
