"""Family grants (亲情代付): granting by phone or username, refusals, the grantee's view, revoking."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from community_hall.errors import HallError
from community_hall.tenancy import community_session
from community_hall.timebank import family
from community_hall.timebank.order_models import FamilyGrant
from tests.timebank.orders_setup import uid, world  # noqa: F401


@pytest.fixture
def db(world):  # noqa: F811
    with world.app_context(), force_locale("en"):
        yield community_session("comm-a")


def test_grant_by_phone_or_username_and_the_grantee_sees_it(db):
    by_phone = family.grant(db, uid("son-a"), "138 0000 0007", "child", None)
    assert (by_phone.grantee_user_id, by_phone.grantee_name, by_phone.grantor_name) == (uid("res-a"), "居民a", "居民a之子")
    again = family.grant(db, uid("son-a"), "res-a", "other", 10)          # updates the one active grant
    assert again.id == by_phone.id and again.monthly_cap_minutes == 600 and again.relation == "other"
    assert [g.grantor_user_id for g in family.received(db, uid("res-a"))] == [uid("son-a")]
    assert family.received(db, uid("son-a")) == []


@pytest.mark.parametrize("who, relation, cap, field", [
    ("nobody", "child", None, "grantee"), ("son-a", "child", None, "grantee"),       # unknown; oneself
    ("res-b", "child", None, "grantee"),                                              # another community's resident
    ("res-a", "cousin", None, "relation"), ("res-a", "child", 0, "cap_hours"), ("res-a", "child", 501, "cap_hours"),
])
def test_bad_grants_are_refused_and_store_nothing(db, who, relation, cap, field):
    with pytest.raises(HallError) as err:
        family.grant(db, uid("son-a"), who, relation, cap)
    assert err.value.field == field
    assert db.query(FamilyGrant).count() == 0


def test_only_the_grantor_revokes_and_revoked_grants_no_longer_count(db):
    grant = family.grant(db, uid("son-a"), "res-a", "child", None)
    with pytest.raises(HallError):
        family.revoke(db, grant.id, uid("res-a"))
    assert family.active_grant(db, uid("son-a"), uid("res-a")) is not None
    family.revoke(db, grant.id, uid("son-a"))
    assert family.active_grant(db, uid("son-a"), uid("res-a")) is None
    assert family.received(db, uid("res-a")) == [] and family.given(db, uid("son-a"))[0].revoked_at is not None
