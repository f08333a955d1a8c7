"""How personal numbers are shown where lists and other people see them (PIPL): one masking rule for all."""

import re


def mask_phone(phone: str | None) -> str:
    """A mobile number with its middle digits hidden: 138****1111."""
    p = phone or ""
    return p[:3] + "****" + p[-4:] if len(p) >= 11 else "*" * len(p)


def mask_name(name: str | None) -> str:
    """A name with all but its first character hidden: 周**."""
    n = name or ""
    return n[:1] + "*" * (len(n) - 1)


def mask_id_number(number: str | None) -> str:
    """An ID number with all but its first and last four characters hidden."""
    n = number or ""
    return n[:4] + "*" * (len(n) - 8) + n[-4:] if len(n) > 8 else "*" * len(n)


# Numbers typed into free text (a description, a note, a topic): an ID number is 17 digits and a digit or X; a
# mobile number 11 digits from 13–19, perhaps in groups 3-4-4 with spaces or hyphens. Neither may be part of a
# longer run of digits (an order or ticket number), so those stay readable.
_ID_IN_TEXT = re.compile(r"(?<!\d)\d{17}[0-9Xx](?!\d)")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")


def mask_text(text: str | None) -> str:
    """Free text with every mobile and ID number typed in it masked the same way as the fields: 138****5678."""
    out = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group()), str(text or ""))
    return _MOBILE_IN_TEXT.sub(lambda m: mask_phone(re.sub(r"[ -]", "", m.group())), out)


# A landline with its area code (010-12345678, 0571 8888 6666): only texts shown to everyone mask it, since staff
# lists need the station's own numbers readable.
_LANDLINE_IN_TEXT = re.compile(r"(?<!\d)0\d{2,3}[ -]?\d{7,8}(?!\d)")


def mask_public(text: str | None) -> str:
    """Text an organiser publishes to everyone (activities, teams): mobile, ID and landline numbers masked."""
    out = mask_text(text)
    return _LANDLINE_IN_TEXT.sub(lambda m: m.group()[:3] + "*" * (len(m.group()) - 7) + m.group()[-4:], out)
