"""URL converters that refuse, as a 404, what no row can be found by: ids past the id columns, control characters."""

from __future__ import annotations

import re

from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter, ValidationError

from .errors import MAX_ID

# NUL is refused by PostgreSQL in text (a 500); CR/LF would split a header a view writes the value into.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BoundedInt(IntegerConverter):
    """<int:...> up to MAX_ID: a larger number makes SQLite's driver raise OverflowError and PostgreSQL a range
    error, and names no row anyway."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


class _NoControl:
    def to_python(self, value: str) -> str:
        if CONTROL.search(value):
            raise ValidationError()
        return super().to_python(value)


class PlainString(_NoControl, UnicodeConverter):
    """<slug>, <number> …: one path segment without control characters."""


class PlainPath(_NoControl, PathConverter):
    """<path:...> without control characters."""


def register(app) -> None:
    """Install the converters before any rule is added (rules bind their converters when added)."""
    app.url_map.converters.update(int=BoundedInt, default=PlainString, string=PlainString, path=PlainPath)
