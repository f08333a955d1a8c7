"""The soak's site: the demo's three communities and a fourth, API keys, and volunteer activities to confirm."""

from __future__ import annotations

import copy
from datetime import timedelta
from unittest import mock

from community_hall import demo
from community_hall.api.services import create_api_key
from community_hall.migrate import upgrade_registry
from community_hall.tenancy import community_session, get_community, registry_session, tenancy, utcnow

# A fourth community shaped like 锦绣社区, so the load spreads over four databases.
FOURTH = copy.deepcopy(demo.COMMUNITIES[2])
FOURTH.update(slug="meiyuan", name="梅园社区", head=("meiyuan-head", "钱淑华"),
              staff=[(f"meiyuan-staff{i}", name) for i, name in enumerate(["丁磊", "许娜", "程军"], 1)],
              people=[("meiyuan-res1", "田秀英", "13312340001", "2-2-202"),
                      ("meiyuan-res2", "任志华", "13412340002", "3-1-101"),
                      ("meiyuan-res3", "姜红梅", "13512340003", "6-1-601")])
SPECS = [*demo.COMMUNITIES, FOURTH]


def _activities(slug: str, head, count: int) -> list[dict]:
    """Past activities with every approved volunteer signed up and nothing marked yet: the head confirms them."""
    from community_hall.timebank.activity_models import Activity, ActivitySignup
    from community_hall.timebank.volunteer_models import Volunteer

    session = community_session(slug)
    volunteers = list(session.query(Volunteer).filter_by(status="approved").order_by(Volunteer.seq))
    begins = utcnow().replace(microsecond=0) - timedelta(days=2)
    made = []
    for i in range(count):
        activity = Activity(title=f"压力测试活动{i + 1}", description="soak", starts_at=begins,
                            ends_at=begins + timedelta(hours=2), place="社区服务站", slots=len(volunteers) + 1,
                            skills="", minutes=120, status="open", organiser_user_id=head.id,
                            organiser_name=head.display_name, created_at=begins - timedelta(days=7))
        session.add(activity)
        session.flush()
        signups = [ActivitySignup(activity_id=activity.id, volunteer_id=v.id, status="signed_up",
                                  signed_up_at=begins - timedelta(days=5), updated_at=begins - timedelta(days=5))
                   for v in volunteers]
        session.add_all(signups)
        session.flush()
        made.append({"id": activity.id, "signups": [s.id for s in signups]})
    session.commit()
    return made


def prepare(activities: int) -> dict:
    """Build the site (inside an app context) and return what the load needs to know about it."""
    from community_hall.accounts.models import User
    from community_hall.menu.models import ServiceItem

    tenancy().create_registry_storage()
    upgrade_registry(tenancy())
    with mock.patch.object(demo, "COMMUNITIES", SPECS):
        for _line in demo.seed_demo():
            pass
    site = {}
    for spec in SPECS:
        slug = spec["slug"]
        community = get_community(slug)
        _key, plaintext = create_api_key(community, "soak")
        items = [i.code for i in community_session(slug).query(ServiceItem).filter_by(published=True)
                 if "online" in i.channel_list]
        head = registry_session().query(User).filter_by(username=spec["head"][0]).one()
        site[slug] = {"api_key": plaintext, "items": sorted(items), "staff": spec["staff"][0][0],
                      "head": spec["head"][0], "activities": _activities(slug, head, activities)}
    tenancy().dispose()
    return site
