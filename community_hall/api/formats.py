"""The two wire formats of GeoReport v2: JSON, and XML mapped from it by the Spark convention."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from flask import Response

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
# The element each list's entries get in XML (the spec's <services><service>, <attributes><attribute> …).
ITEM_TAGS = {"services": "service", "service_requests": "request", "errors": "error", "endpoints": "endpoint",
             "formats": "format", "attributes": "attribute", "values": "value"}
# Characters XML 1.0 cannot carry at all; dropped rather than producing a document no parser accepts.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        tag = ITEM_TAGS.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, tag), child)
    else:
        element.text = _text(value)


def to_xml(data, root: str) -> str:
    """The document for data under the root element, with the XML declaration the spec asks for."""
    element = ET.Element(root)
    _fill(element, data)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode")


def respond(fmt: str, data, root: str, status: int = 200, headers: dict | None = None) -> Response:
    """data as JSON or XML (root names the XML document element)."""
    if fmt == "xml":
        return Response(to_xml(data, root), status=status, content_type=XML_TYPE, headers=headers)
    return Response(json.dumps(data, ensure_ascii=False), status=status, content_type=JSON_TYPE, headers=headers)


def error(fmt: str, status: int, description: str, headers: dict | None = None) -> Response:
    """The spec's error list with one error whose code is the HTTP status."""
    return respond(fmt, [{"code": status, "description": description}], "errors", status, headers)
