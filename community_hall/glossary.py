"""Domain terms as users see them: the one place where role and other labels are named."""

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "resident": _l("Resident"),
    "staff": _l("Staff"),
    "head": _l("Station head"),
    "district": _l("Street office admin"),
}


def role_label(role: str) -> str:
    """The translated name of a role."""
    return str(ROLE_LABELS.get(role, role))


def register(app) -> None:
    """Make the labels available to templates."""
    app.jinja_env.globals["role_label"] = role_label
    app.jinja_env.filters["role_label"] = role_label
    app.jinja_env.globals["label"] = label
    app.jinja_env.filters["channel_label"] = lambda key: label("channel", key)
    app.jinja_env.globals["status_label"] = status_label
    app.jinja_env.globals["action_label"] = action_label
    app.jinja_env.globals["visit_outcome_label"] = visit_outcome_label
    app.jinja_env.globals["ticket_channel_label"] = lambda key: str(TICKET_CHANNEL_LABELS.get(key, key))
    app.jinja_env.globals["appointment_status"] = lambda key: str(APPOINTMENT_STATUS_LABELS.get(key, key))
    app.jinja_env.globals["duty_reason"] = lambda key: str(DUTY_REASON_LABELS.get(key, key))
    app.jinja_env.globals["duty_role"] = lambda key: str(DUTY_ROLE_LABELS.get(key, key))


# --- service menu vocabulary ------------------------------------------------------------------
CHANNEL_LABELS = {
    "window": _l("At the window"),
    "online": _l("Online"),
    "appointment": _l("By appointment"),
    "home_visit": _l("Home visit"),
    "proxy": _l("Proxy handling"),
    "self_service": _l("Self-service"),
}
FEE_LABELS = {"free": _l("Free"), "low_cost": _l("Low cost"), "paid": _l("Paid")}
DUTY_LABELS = {"self_governance": _l("Self-governance duty"),
               "assisted_government": _l("Assisting government duty")}
PROVIDER_LABELS = {"station": _l("Service station"), "volunteers": _l("Volunteers"),
                   "partner": _l("Partner organisation")}
TIME_UNIT_LABELS = {"workdays": _l("working days"), "hours": _l("hours")}
MATERIAL_FORM_LABELS = {"original": _l("original"), "copy": _l("copy"), "original_and_copy": _l("original and copy")}

# --- appointments (预约) --------------------------------------------------------------------------
APPOINTMENT_STATUS_LABELS = {"booked": _l("Booked"), "checked_in": _l("Checked in"), "cancelled": _l("Cancelled"),
                             "no_show": _l("Did not come")}

# --- duty (AB岗) ------------------------------------------------------------------------------------
DUTY_ROLE_LABELS = {"A": _l("A holder"), "B": _l("B holder"), "head": _l("Station head")}
DUTY_REASON_LABELS = {
    "a_on_duty": _l("A holder on duty"),
    "a_on_leave": _l("A holder on leave: B covers"),
    "a_out": _l("A holder out visiting households: B covers"),
    "a_off_shift": _l("A holder off shift: B covers"),
    "no_a_holder": _l("The post has no A holder: B covers"),
    "both_away": _l("A and B holders both away: the station head"),
    "closed": _l("Outside opening hours: the next on duty"),
    "no_roster": _l("No roster published: the post's holder"),
}
SHIFT_KIND_LABELS = {"regular": _l("Regular shift"), "late": _l("Late shift (错时)"), "weekend": _l("Weekend duty"),
                     "holiday": _l("Holiday duty")}
LEAVE_KIND_LABELS = {"annual": _l("Annual leave"), "sick": _l("Sick leave"), "personal": _l("Personal leave"),
                     "other": _l("Other leave")}
# States of leave requests and shift swaps.
REQUEST_STATE_LABELS = {"requested": _l("Waiting for the head"), "approved": _l("Approved"),
                        "declined": _l("Declined"), "cancelled": _l("Cancelled")}
# Fields of a post, as its change history names them.
POST_FIELD_LABELS = {"name": _l("Name"), "window": _l("Window"), "a_holder": _l("A holder"), "b_holder": _l("B holder")}

# Chinese words accepted for these values in imported files (the terms stations use in their spreadsheets).
ALIASES = {
    "channel": {"窗口": "window", "窗口办理": "window", "网上": "online", "网上办理": "online", "在线": "online",
                "预约": "appointment", "预约办理": "appointment", "上门": "home_visit", "上门办理": "home_visit",
                "代办": "proxy", "委托代办": "proxy", "自助": "self_service", "自助办理": "self_service"},
    "fee_kind": {"免费": "free", "无偿": "free", "低偿": "low_cost", "低收费": "low_cost", "有偿": "paid", "收费": "paid"},
    "duty_list": {"自治事项": "self_governance", "社区自治事项": "self_governance",
                  "协助政府事项": "assisted_government", "协助政府工作事项": "assisted_government"},
    "provider": {"服务站": "station", "社区服务站": "station", "社区": "station", "志愿者": "volunteers",
                 "合作机构": "partner", "社会组织": "partner"},
    "time_unit": {"工作日": "workdays", "个工作日": "workdays", "小时": "hours"},
    "material_form": {"原件": "original", "复印件": "copy", "原件和复印件": "original_and_copy",
                      "原件及复印件": "original_and_copy"},
}


def label(kind: str, key: str) -> str:
    """The translated label of a vocabulary value (channel, fee_kind, duty_list, provider, time_unit, material_form)."""
    table = {"channel": CHANNEL_LABELS, "fee_kind": FEE_LABELS, "duty_list": DUTY_LABELS, "provider": PROVIDER_LABELS,
             "time_unit": TIME_UNIT_LABELS, "material_form": MATERIAL_FORM_LABELS}[kind]
    return str(table.get(key, key))


def from_alias(kind: str, value: str) -> str:
    """A vocabulary key from its key, its English label or a Chinese alias (for imports); '' when unknown."""
    value = (value or "").strip()
    key = value.lower().replace(" ", "_").replace("-", "_")
    if key in ALIASES[kind].values():
        return key
    return ALIASES[kind].get(value, "")


# --- tickets (办件) ---------------------------------------------------------------------------
STATUS_LABELS = {
    "submitted": _l("Submitted, waiting to be accepted"),
    "accepted": _l("Accepted"),
    "in_progress": _l("In progress"),
    "returned": _l("Returned: materials missing"),
    "done": _l("Done"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
}
ACTION_LABELS = {
    "submit": _l("Submitted"),
    "accept": _l("Accept"),
    "start": _l("Start handling"),
    "return": _l("Return for materials"),
    "resubmit": _l("Materials supplied"),
    "resubmit_accepted": _l("Materials supplied"),
    "complete": _l("Complete with a reply"),
    "decline": _l("Decline"),
    "withdraw": _l("Withdraw"),
    "rate": _l("Rated"),
    "visit": _l("Came in person"),
    "visit_planned": _l("Home visit planned"),
    "visit_not_home": _l("Home visit: nobody at home"),
    "due_moved": _l("Due date moved by the holiday arrangement"),
}
TICKET_CHANNEL_LABELS = {**CHANNEL_LABELS, "phone": _l("By phone"), "api": _l("Another system")}


def status_label(status: str) -> str:
    """A ticket state in words a resident understands."""
    return str(STATUS_LABELS.get(status, status))


def action_label(action: str) -> str:
    """A timeline action or a button's name."""
    return str(ACTION_LABELS.get(action, action))


# --- home visits (上门服务) ---------------------------------------------------------------------
VISIT_OUTCOME_LABELS = {
    "": _l("To visit"),
    "done": _l("Done on the visit"),
    "need_materials": _l("Materials missing"),
    "not_home": _l("Nobody at home"),
    "cannot_do": _l("Cannot be done"),
}


def visit_outcome_label(outcome: str) -> str:
    """What came of a home visit, in words."""
    return str(VISIT_OUTCOME_LABELS.get(outcome, outcome))
