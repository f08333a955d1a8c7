"""URL converters that refuse, as a 404, what no row can be found by: ids past the id columns, control characters."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, UnicodeConverter

from .errors import MAX_ID


class BoundedInt(IntegerConverter):
    """<int:...> up to MAX_ID: a larger number makes SQLite's driver raise OverflowError and PostgreSQL a range
    error, and names no row anyway."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


class PlainString(UnicodeConverter):
    """<slug>, <number> …: one path segment without control characters (PostgreSQL refuses NUL in text, a 500; a
    CR/LF could split a header a view writes the value into). Left out by the pattern (not refused by
    to_python, which would end the match), so another rule (the Open311 catch-all) may still take the address."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]", 1)


def register(app) -> None:
    """Install the converters before any rule is added (rules bind their converters when added). <path:> stays as
    it is: static files and the Open311 catch-all take it, which must still answer an odd address in their format."""
    app.url_map.converters.update(int=BoundedInt, default=PlainString, string=PlainString)
