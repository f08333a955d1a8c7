"""The public Open311 answers never carry what anyone typed: status_notes is a fixed phrase per state."""

from __future__ import annotations

import pytest

from tests.api.conftest import BASE
from tests.api.test_open311 import _submit
from tests.window.conftest import drive

TYPED = "请联系王小明 13912345678，身份证 11010519491231002X，地址幸福里3号楼"


@pytest.mark.parametrize("action", ["complete", "decline", "return"])
def test_what_staff_wrote_is_not_in_the_public_answers(app, client, menu, action):
    number = _submit(app, "SB-001")
    drive(app, number, *(["accept"] if action != "return" else []), action,
          texts={"complete": TYPED, "decline": TYPED, "return": TYPED})
    for path in (f"requests/{number}.json", f"requests/{number}.xml", "requests.json", "requests.xml"):
        body = client.get(f"{BASE}/{path}?jurisdiction_id=comm-a").get_data(as_text=True)
        for piece in ("13912345678", "11010519491231002X", "王小明", "幸福里", "139****5678"):
            assert piece not in body, (path, piece)
