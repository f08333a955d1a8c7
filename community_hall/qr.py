"""QR codes as inline SVG (no script, allowed by the CSP, prints crisply)."""

import segno
from flask_babel import gettext as _
from markupsafe import Markup


def qr_svg(url: str, scale: int = 4) -> Markup:
    """An inline SVG QR code for a URL, black on white."""
    svg = segno.make(url, error="m").svg_inline(scale=scale, dark="#000", light="#fff", title=_("QR code"))
    # Safe as markup: segno writes only path data it computes and escapes the title; the URL is encoded, not shown.
    return Markup(svg)  # nosec B704
