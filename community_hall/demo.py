"""Demo site: three communities of one street office, with a head, staff and residents in each."""

from __future__ import annotations

from . import clock
from .accounts.models import User
from .accounts.services import DEMO_PASSWORD, add_new_member, grant_existing
from .communities.services import create_community
from .tenancy import get_community, registry_session

STREET = "和平街道"
WINDOWS = [("A", "1号窗口 综合受理", "证明开具、咨询导办、委托代办"), ("B", "2号窗口 社会保障", "就业、社保、医保"),
           ("C", "3号窗口 社会事务", "低保、救助、老龄、残联"), ("D", "4号窗口 便民服务", "家政、维修、场地预约")]
DISTRICT_ADMIN = ("jiedao", "王建国")

COMMUNITIES = [
    {
        "slug": "yangliu", "name": "杨柳社区", "households": 2380, "residents": 6912,
        "station": {"address": "和平街道杨柳路18号", "phone": "022-2345 6701",
                    "opening_hours": "周一至周五 8:30-17:30；周二、周四延时至19:00；周六 9:00-12:00",
                    "intro": "杨柳社区党群服务中心一楼为一站式服务大厅，设党员服务、社会保障、社会事务、便民服务等窗口。"},
        "head": ("yangliu-head", "刘淑芬"),
        "staff": [("yangliu-staff1", "张敏"), ("yangliu-staff2", "李强"), ("yangliu-staff3", "陈晓燕"),
                  ("yangliu-staff4", "赵志刚"), ("yangliu-staff5", "孙丽娟")],
        "people": [("yangliu-res1", "王秀兰", "13800138001", "3-2-501"),
                      ("yangliu-res2", "周德明", "13900139002", "7-1-302"),
                      ("yangliu-res3", "吴桂英", "13700137003", "12-3-101"),
                      ("yangliu-res4", "郑海涛", "13600136004", "5-2-602")],
    },
    {
        "slug": "qinghe", "name": "清河社区", "households": 1860, "residents": 5204,
        "station": {"address": "和平街道清河北街6号", "phone": "022-2345 6702",
                    "opening_hours": "周一至周五 8:30-17:30；周三延时至19:30；周日 9:00-12:00",
                    "intro": "清河社区服务站实行AB岗工作制和首问负责制，节假日安排值班。"},
        "head": ("qinghe-head", "马建华"),
        "staff": [("qinghe-staff1", "黄丽萍"), ("qinghe-staff2", "林国栋"), ("qinghe-staff3", "何春梅"),
                  ("qinghe-staff4", "高文斌")],
        "people": [("qinghe-res1", "罗玉珍", "13512345601", "2-1-201"),
                      ("qinghe-res2", "梁志强", "13612345602", "9-2-401"),
                      ("qinghe-res3", "宋美玲", "13712345603", "4-3-502")],
    },
    {
        "slug": "jinxiu", "name": "锦绣社区", "households": 2740, "residents": 7985,
        "station": {"address": "和平街道锦绣大道99号", "phone": "022-2345 6703",
                    "opening_hours": "周一至周五 8:30-17:30，中午不休息；周六 9:00-16:00",
                    "intro": "锦绣社区服务站提供全科受理、预约办理和上门服务，老年人可优先办理。"},
        "head": ("jinxiu-head", "唐志明"),
        "staff": [("jinxiu-staff1", "韩雪"), ("jinxiu-staff2", "冯建军"), ("jinxiu-staff3", "曹丽华"),
                  ("jinxiu-staff4", "彭宇"), ("jinxiu-staff5", "董秀梅"), ("jinxiu-staff6", "袁刚")],
        "people": [("jinxiu-res1", "蒋淑珍", "13312345671", "1-1-101"),
                      ("jinxiu-res2", "沈国强", "13412345672", "6-2-303"),
                      ("jinxiu-res3", "韦红", "13512345673", "8-1-704")],
    },
]


def seed_menu(community) -> int:
    """The community's posts and service menu (see menu/demo_items.py); returns the number of items."""
    from .menu import services as menu_services
    from .menu.demo_items import POSTS, items_for
    from .rosters.services import create_post
    from .tenancy import community_session

    session = community_session(community.slug)
    for post in POSTS:
        create_post(session, post["code"], post["name"], post["window"])
    items = items_for(community.slug)
    for raw in items:
        menu_services.create_item(session, menu_services.clean_item(raw))
    from .floor.services import create_window

    for prefix, name, serves in WINDOWS:
        create_window(session, prefix, name, serves)
    session.commit()
    return len(items)


def seed_roster(community, spec) -> int:
    """Each post's A and B holder among the demo staff, and published shifts for this month and the next on working
    days (08:30–17:30; the second member of staff, a B holder, on the late shift 10:00–19:00 so working residents
    can come after work). Skipped when the community already has shifts; returns the number of shifts added."""
    from datetime import timedelta

    from sqlalchemy import select

    from .accounts.models import User
    from .rosters.models import Shift
    from .rosters.services import all_posts, today
    from .tenancy import community_session
    from .window.services import calendar_for

    session = community_session(community.slug)
    if session.scalar(select(Shift.id).limit(1)) is not None:
        return 0
    ids = dict(registry_session().query(User.username, User.id).filter(
        User.username.in_([spec["head"][0]] + [u for u, _n in spec["staff"]])))
    staff = [ids[u] for u, _n in spec["staff"] if u in ids]
    if len(staff) < 2:
        return 0
    for i, post in enumerate(all_posts(session)):
        if post.a_holder_id is None and post.b_holder_id is None:
            post.a_holder_id, post.b_holder_id = staff[i % len(staff)], staff[(i + 1) % len(staff)]
    calendar = calendar_for(session)
    first = today(community).replace(day=1)
    last = ((first + timedelta(days=32)).replace(day=1) + timedelta(days=32)).replace(day=1)  # after next month
    people = [ids[spec["head"][0]], *staff] if spec["head"][0] in ids else staff
    day, shifts = first, []
    while day < last:
        if calendar.is_workday(day):
            for uid in people:
                late = uid == staff[1]
                shifts.append(Shift(user_id=uid, day=day, start="10:00" if late else "08:30",
                                    end="19:00" if late else "17:30", kind="late" if late else "regular"))
        day += timedelta(days=1)
    session.add_all(shifts)
    session.commit()
    return len(shifts)


TEAMS = [("义务巡逻队", "夜间和节假日巡查楼院，发现隐患及时报告。"),
         ("环境整治队", "清理楼道杂物、小广告和卫生死角，参与垃圾分类引导。"),
         ("助老服务队", "为独居和高龄老人代购、陪诊、读报、聊天。"),
         ("文明宣传队", "宣传文明创建、反诈防骗和政策法规。"),
         ("法律服务队", "提供法律咨询、调解邻里纠纷。")]


def seed_volunteers(community, spec) -> int:
    """Five teams and the first two residents as approved volunteers (skipped when the teams exist)."""
    from .tenancy import community_session
    from .timebank import teams as team_services
    from .timebank import volunteers as vol_services
    from .timebank.volunteer_models import Team

    session = community_session(community.slug)
    if session.query(Team).count():
        return 0
    head = registry_session().query(User).filter_by(username=spec["head"][0]).one()
    approved = []
    for username, name, phone, _address in spec["people"][:2]:
        user = registry_session().query(User).filter_by(username=username).one()
        app = vol_services.Application(real_name=name, phone=phone, emergency_name="家属",
                                       emergency_phone="13000000000", consent=True,
                                       skills=["care"], availability=["sat-am", "sun-am"])
        approved.append(vol_services.approve(session, community, vol_services.apply(session, user.id, app).id, head.id))
    for i, (name, description) in enumerate(TEAMS):
        leader = approved[i % len(approved)].id
        team_services.save_team(session, name, description, leader, [v.id for v in approved])
    session.commit()
    return len(approved)


ACTIVITIES = [("楼道清洁日", "清理楼道杂物和小广告，工具由社区提供。", "社区服务站门口集合", 3, 8, "2", "环境整治队", []),
              ("陪老人读报聊天", "到独居老人家中读报、聊天。", "社区养老驿站", 5, 4, "1.5", "助老服务队", ["care"]),
              ("反诈宣传进小区", "在小区门口发放反诈宣传材料，讲解常见骗局。", "小区北门", 9, 6, "2", "文明宣传队", [])]


def seed_activities(community, spec) -> int:
    """Three upcoming activities and one past one with confirmed attendance (skipped when any activity exists)."""
    from datetime import timedelta
    from types import SimpleNamespace

    from .tenancy import community_session, utcnow
    from .timebank import activities as act_services
    from .timebank.activity_models import Activity, ActivitySignup
    from .timebank.volunteer_models import Team, Volunteer

    session = community_session(community.slug)
    if session.query(Activity).count() or not session.query(Team).count():
        return 0
    head = registry_session().query(User).filter_by(username=spec["head"][0]).one()
    teams = {t.name: t.id for t in session.query(Team)}
    start = utcnow().replace(minute=0, second=0, microsecond=0)
    for title, description, place, days, slots, hours, team, skills in ACTIVITIES:
        begins = start + timedelta(days=days)
        act_services.publish(session, act_services.Draft(
            title=title, description=description, starts_at=begins, ends_at=begins + timedelta(hours=2), place=place,
            slots=slots, hours=hours, skills=skills, team_id=teams.get(team)), head.id, head.display_name, True)
    # A past activity, published then (so not through publish, which refuses a start in the past), attended.
    begins = start - timedelta(days=3)
    past = Activity(title="社区义诊志愿服务", description="协助医生为老人量血压、测血糖。", starts_at=begins,
                    ends_at=begins + timedelta(hours=3), place="社区卫生服务站", slots=6, skills="medical,care",
                    team_id=teams.get("助老服务队"), minutes=180, status="open", organiser_user_id=head.id,
                    organiser_name=head.display_name, created_at=begins - timedelta(days=7))
    session.add(past)
    session.flush()
    for volunteer in session.query(Volunteer).filter_by(status="approved").order_by(Volunteer.seq):
        session.add(ActivitySignup(activity_id=past.id, volunteer_id=volunteer.id, status="attended", minutes=180,
                                   signed_up_at=begins - timedelta(days=5), updated_at=begins))
    session.commit()
    act_services.confirm(session, past.id, SimpleNamespace(user_id=head.id, name=head.display_name))
    return len(ACTIVITIES) + 1


def seed_orders(community, spec) -> int:
    """Two orders of a volunteer service: one on the board, one taken by the first volunteer (skipped when any exist)."""
    from datetime import timedelta

    from .tenancy import community_session
    from .timebank import orders
    from .timebank.order_models import Order
    from .timebank.volunteers import approved

    session = community_session(community.slug)
    items, volunteers = orders.volunteer_items(session), approved(session)
    if session.query(Order).count() or not items or not volunteers or len(spec["people"]) < 3:
        return 0
    today = clock.today(community.timezone)
    head = registry_session().query(User).filter_by(username=spec["head"][0]).one()
    made = 0
    for (username, name, phone, address), part in zip(spec["people"][-2:], ("am", "pm"), strict=True):
        user = registry_session().query(User).filter_by(username=username).one()
        order = orders.place(session, user.id, orders.NewOrder(
            item_id=items[0].id, wanted_day=today + timedelta(days=2), wanted_part=part, address=address, phone=phone,
            note="家里的水龙头漏水"), orders.Actor(user.id, name, "resident"), today)
        if made == 0:
            orders.to_board(session, order.id, orders.Actor(head.id, spec["head"][1], "staff"))
        else:
            orders.dispatch(session, order.id, volunteers[0].id, orders.Actor(head.id, spec["head"][1], "staff"))
        made += 1
    return made


def seed_demo():
    """Create what is missing of the demo site; yields one line of progress per step."""
    password = DEMO_PASSWORD
    for spec in COMMUNITIES:
        community = get_community(spec["slug"])
        if community is not None:
            yield f"{spec['slug']}: exists, skipped"
            continue
        community = create_community(spec["slug"], spec["name"], spec["households"], spec["residents"], STREET,
                                     station=spec["station"])
        seed_menu(community)
        add_new_member(community, "head", spec["head"][0], password, spec["head"][1])
        for username, name in spec["staff"]:
            add_new_member(community, "staff", username, password, name)
        for username, name, phone, address in spec["people"]:
            add_new_member(community, "resident", username, password, name, phone, address)
        admin = registry_session().query(User).filter_by(username=DISTRICT_ADMIN[0]).one_or_none()
        if admin is None:
            add_new_member(community, "district", DISTRICT_ADMIN[0], password, DISTRICT_ADMIN[1])
        else:
            grant_existing(DISTRICT_ADMIN[0], community, "district")
        yield (f"{spec['slug']}: created {spec['name']} with 1 head, {len(spec['staff'])} staff, "
               f"{len(spec['people'])} residents")
    for spec in COMMUNITIES:
        community = get_community(spec["slug"])
        if community is not None and (count := seed_roster(community, spec)):
            yield f"{spec['slug']}: post holders set, {count} shifts published"
    for spec in COMMUNITIES:
        community = get_community(spec["slug"])
        if community is not None and (count := seed_volunteers(community, spec)):
            yield f"{spec['slug']}: {len(TEAMS)} volunteer teams, {count} approved volunteers"
    for spec in COMMUNITIES:
        community = get_community(spec["slug"])
        if community is not None and (count := seed_activities(community, spec)):
            yield f"{spec['slug']}: {count} volunteer activities"
        if community is not None and (count := seed_orders(community, spec)):
            yield f"{spec['slug']}: {count} volunteer service orders"
    # One resident who belongs to two communities (moved house, keeps matters in both).
    res = registry_session().query(User).filter_by(username="yangliu-res1").one_or_none()
    qinghe = get_community("qinghe")
    if res is not None and qinghe is not None:
        from .accounts.policy import roles_in

        if "resident" not in roles_in(res, qinghe):
            grant_existing(res.username, qinghe, "resident")
            yield "yangliu-res1: also a resident of qinghe"
