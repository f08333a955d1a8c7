"""How personal numbers are shown where lists and other people see them (PIPL): one masking rule for all."""


def mask_phone(phone: str | None) -> str:
    """A mobile number with its middle digits hidden: 138****1111."""
    p = phone or ""
    return p[:3] + "****" + p[-4:] if len(p) >= 11 else "*" * len(p)


def mask_id_number(number: str | None) -> str:
    """An ID number with all but its first and last four characters hidden."""
    n = number or ""
    return n[:4] + "*" * (len(n) - 8) + n[-4:] if len(n) > 8 else "*" * len(n)
