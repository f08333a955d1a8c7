"""Slot arithmetic: a window's opening hours cut into equal slots. Pure functions, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

DEFAULT_HOURS = "09:00-12:00,14:00-17:00"


@dataclass(frozen=True)
class Slot:
    """A bookable stretch of a day, local time."""

    start: time
    end: time

    @property
    def key(self) -> str:
        """The slot as the forms and the database name it: its start, HH:MM."""
        return self.start.strftime("%H:%M")

    @property
    def label(self) -> str:
        """09:00–09:30."""
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


def parse_hours(text: str) -> list[tuple[time, time]]:
    """'09:00-12:00,14:00-17:00' as (open, close) pairs in order; ValueError when malformed or overlapping."""
    spans = []
    for part in filter(None, (p.strip() for p in re.split(r"[,，;；\s]+", text or ""))):
        m = re.fullmatch(r"(\d{1,2}):(\d{2})\s*[-–~～]\s*(\d{1,2}):(\d{2})", part)
        if not m:
            raise ValueError(part)
        h1, m1, h2, m2 = (int(x) for x in m.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError(part)
        opens, closes = time(h1, m1), time(h2, m2)
        if closes <= opens:
            raise ValueError(part)
        spans.append((opens, closes))
    spans.sort()
    for (_a, close), (nxt, _b) in zip(spans, spans[1:], strict=False):
        if nxt < close:
            raise ValueError(text)
    if not spans:
        raise ValueError(text)
    return spans


def day_slots(hours: str, slot_minutes: int) -> list[Slot]:
    """The slots of one opening day: each span cut into slot_minutes pieces; a short remainder is dropped."""
    out = []
    step = timedelta(minutes=slot_minutes)
    for opens, closes in parse_hours(hours):
        at = datetime.combine(date.min, opens)
        end = datetime.combine(date.min, closes)
        while at + step <= end:
            out.append(Slot(at.time(), (at + step).time()))
            at += step
    return out


def find_slot(hours: str, slot_minutes: int, key: str) -> Slot | None:
    """The slot starting at key (HH:MM), or None."""
    return next((s for s in day_slots(hours, slot_minutes) if s.key == key), None)
