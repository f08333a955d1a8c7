"""comm-a with its menu (from tests/menu), an API key for it, and helpers to call the Open311 API."""

import pytest

from community_hall.api.services import create_api_key
from community_hall.tenancy import get_community
from tests.menu.conftest import menu  # noqa: F401 - reuse the menu fixture

BASE = "/open311/v2"
RESIDENT = {"last_name": "欧阳", "first_name": "明月", "phone": "13912345678"}


@pytest.fixture
def api_key(app, menu):  # noqa: F811
    """The plaintext of a live API key of comm-a."""
    with app.app_context():
        return create_api_key(get_community("comm-a"), "测试系统")[1]


@pytest.fixture
def post_request(client, api_key):
    """post_request(fmt="json", headers=None, **fields) -> the response of POST requests.<fmt> for comm-a."""

    def _post(fmt="json", headers=None, **fields):
        data = {"jurisdiction_id": "comm-a", "api_key": api_key, "service_code": "SB-001", **RESIDENT, **fields}
        return client.post(f"{BASE}/requests.{fmt}", data={k: v for k, v in data.items() if v is not None},
                           headers=headers)

    return _post
