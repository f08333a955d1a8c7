"""Domain errors that services raise and views show to users, and the parsing of ids sent by forms."""

import re


class HallError(Exception):
    """A rule was broken; the message is a translatable text shown to the user, field names where it belongs."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def copy_error(form, err: HallError) -> None:
    """Put a service's error on the form field it concerns (or on the form as a whole)."""
    field = getattr(form, err.field, None) if err.field else None
    if field is not None:
        field.errors = [*field.errors, err.message]
    else:
        form.form_errors.append(err.message)


# The largest id a row can have: id columns are INTEGER, 32-bit on PostgreSQL (SQLite's are 64-bit, and its driver
# raises OverflowError, a 500, on a larger Python int).
MAX_ID = 2**31 - 1
_ID = re.compile(r"[0-9]{1,10}")


def parse_id(value) -> int | None:
    """A row id sent by a form (ASCII digits, at most MAX_ID), or None for anything else, which no row has: the
    services then refuse it with their own message."""
    text = str(value).strip() if value is not None else ""
    if not _ID.fullmatch(text) or int(text) > MAX_ID:
        return None
    return int(text)
