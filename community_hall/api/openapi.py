"""The OpenAPI 3 description of the JSON endpoints, written by hand and served at /open311/v2/openapi.json.

The XML variants (same paths ending in .xml) carry the same data under the spec's element names.
"""

from __future__ import annotations

from .services import STATUS_NOTES

PREFIX = "/open311/v2"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def _errors(description: str) -> dict:
    return _json(_ref("Errors"), description)


STRING = {"type": "string"}
DATETIME = {"type": "string", "format": "date-time"}

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["code", "description"],
        "properties": {"code": {"type": "integer", "description": "The HTTP status."},
                       "description": {"type": "string", "description": "Why, in Chinese, to show to the user."}},
    },
    "Errors": {"type": "array", "minItems": 1, "items": _ref("Error")},
    "Endpoint": {
        "type": "object", "required": ["specification", "url", "changeset", "type", "formats"],
        "properties": {"specification": STRING, "url": STRING, "changeset": STRING,
                       "type": {"type": "string", "enum": ["production", "test"]},
                       "formats": {"type": "array", "items": STRING}},
    },
    "Discovery": {
        "type": "object", "required": ["changeset", "contact", "key_service", "endpoints"],
        "properties": {"changeset": STRING, "contact": STRING, "key_service": STRING,
                       "endpoints": {"type": "array", "minItems": 1, "items": _ref("Endpoint")}},
    },
    "Service": {
        "type": "object",
        "required": ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
        "properties": {
            "service_code": {"type": "string", "description": "The item code of the service menu."},
            "service_name": STRING, "description": STRING,
            "metadata": {"type": "boolean", "description": "true: fetch services/<code>.json for attributes."},
            "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
            "keywords": {"type": "string", "description": "Comma-separated."},
            "group": {"type": "string", "description": "The menu category."},
        },
    },
    "AttributeValue": {"type": "object", "required": ["key", "name"], "properties": {"key": STRING, "name": STRING}},
    "Attribute": {
        "type": "object",
        "required": ["variable", "code", "datatype", "required", "datatype_description", "order", "description"],
        "properties": {
            "variable": {"type": "boolean", "description": "false: information only (the materials to bring)."},
            "code": STRING,
            "datatype": {"type": "string",
                         "enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]},
            "required": {"type": "boolean"},
            "datatype_description": {"type": "string", "nullable": True},
            "order": {"type": "integer", "minimum": 1},
            "description": STRING,
            "values": {"type": "array", "items": _ref("AttributeValue")},
        },
    },
    "ServiceDefinition": {
        "type": "object", "required": ["service_code", "attributes"],
        "properties": {"service_code": STRING, "attributes": {"type": "array", "items": _ref("Attribute")}},
    },
    "CreatedRequest": {
        "type": "object", "required": ["service_request_id", "service_notice"],
        "properties": {
            "service_request_id": {"type": "string", "description": "The ticket number, e.g. YANGLIU-20261122-0001."},
            "service_notice": {"type": "string", "description": "What to bring and the promised time limit."},
        },
    },
    "ServiceRequest": {
        "type": "object",
        "required": ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                     "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                     "expected_datetime", "address"],
        "properties": {
            "service_request_id": STRING,
            "status": {"type": "string", "enum": ["open", "closed"]},
            "status_notes": {"type": "string",
                             "description": "The state as one fixed Chinese phrase; never what staff wrote.",
                             "enum": sorted(STATUS_NOTES.values())},
            "service_name": STRING, "service_code": STRING,
            "description": {"type": "string", "maxLength": 0, "description": "Always empty: residents' text stays inside."},
            "agency_responsible": {"type": "string", "description": "The responsible post, or the station."},
            "service_notice": STRING,
            "requested_datetime": DATETIME, "updated_datetime": DATETIME,
            "expected_datetime": {**DATETIME, "description": "The due date; before acceptance, the projected one."},
            "address": {"type": "string", "maxLength": 0},
        },
    },
}

JURISDICTION = {
    "name": "jurisdiction_id", "in": "query", "required": False, "schema": STRING,
    "description": "The community's short name (slug), e.g. yangliu; required when the site has several communities.",
}

FORM_FIELDS = {
    "jurisdiction_id": {"type": "string", "description": "Community slug; required when the site has several."},
    "api_key": {"type": "string", "description": "The community's key (flask --app app hall create-api-key)."},
    "service_code": {"type": "string", "description": "From services.json.", "example": "SB-001"},
    "first_name": {"type": "string", "maxLength": 50, "description": "Given name (名)."},
    "last_name": {"type": "string", "maxLength": 50, "description": "Family name (姓); a name is required.",
                  "example": "王"},
    "phone": {"type": "string", "description": "11-digit mainland mobile number (required).", "example": "13800138001"},
    "email": {"type": "string", "description": "Accepted and ignored."},
    "description": {"type": "string", "maxLength": 2000},
    "address_string": {"type": "string", "maxLength": 200, "description": "Home address for a home visit."},
    "idempotency_key": {"type": "string", "maxLength": 200,
                        "description": "A retry with the same key (per api_key) returns the first ticket."},
    **{f"attribute[{code}]": {"type": "string", "enum": ["true", "false"]}
       for code in ("priority_aged_70", "priority_disabled", "priority_pregnant", "urgent")},
    "attribute[home_address]": {"type": "string", "maxLength": 200},
    "attribute[proxy_name]": {"type": "string", "maxLength": 50},
    "attribute[proxy_relation]": {"type": "string", "maxLength": 50},
}

# What a client does next with a new ticket's number (OpenAPI links: schemathesis' stateful tests chain them).
CREATED_LINKS = {
    "GetCreatedRequest": {
        "operationId": "getRequest",
        "parameters": {"service_request_id": "$response.body#/0/service_request_id",
                       "jurisdiction_id": "$request.body#/jurisdiction_id"},
        "description": "The new ticket, by its number.",
    },
    "ListCreatedRequest": {
        "operationId": "listRequests",
        "parameters": {"service_request_id": "$response.body#/0/service_request_id",
                       "jurisdiction_id": "$request.body#/jurisdiction_id"},
        "description": "The new ticket in the request list (service_request_id filter).",
    },
}

BAD = _errors("Bad input: a missing jurisdiction_id (several communities) or another invalid argument.")
NOT_FOUND = _errors("Unknown jurisdiction_id, service_code or service_request_id.")


def openapi_document() -> dict:
    """The whole OpenAPI 3.0 document."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Community Hall Open311 GeoReport v2",
            "version": "2026-11-22",
            "description": "Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) for community service "
                           "stations: services are the menu's items, service requests are tickets (办件). Every "
                           "path also answers in XML when it ends in .xml instead of .json. No resident's personal "
                           "data is returned by any GET.",
        },
        "paths": {
            f"{PREFIX}/discovery.json": {"get": {
                "operationId": "discovery", "summary": "Service discovery",
                "responses": {"200": _json(_ref("Discovery"), "The discovery document.")},
            }},
            f"{PREFIX}/services.json": {"get": {
                "operationId": "listServices", "summary": "The published service menu of a community",
                "parameters": [JURISDICTION],
                "responses": {"200": _json({"type": "array", "items": _ref("Service")}, "The services."),
                              "400": BAD, "404": NOT_FOUND},
            }},
            f"{PREFIX}/services/{{service_code}}.json": {"get": {
                "operationId": "serviceDefinition", "summary": "Attributes and materials of one service",
                "parameters": [{"name": "service_code", "in": "path", "required": True,
                                "schema": {"type": "string", "minLength": 1}, "example": "SB-001"}, JURISDICTION],
                "responses": {"200": _json(_ref("ServiceDefinition"), "The service definition."),
                              "400": BAD, "404": NOT_FOUND},
            }},
            f"{PREFIX}/requests.json": {
                "get": {
                    "operationId": "listRequests",
                    "summary": "Requests by filters: newest first, at most 1,000, default the last 90 days",
                    "parameters": [
                        JURISDICTION,
                        {"name": "service_request_id", "in": "query", "required": False, "schema": STRING,
                         "description": "Comma-separated ticket numbers; overrides every other filter."},
                        {"name": "service_code", "in": "query", "required": False, "schema": STRING,
                         "description": "Comma-separated item codes."},
                        {"name": "start_date", "in": "query", "required": False, "schema": DATETIME},
                        {"name": "end_date", "in": "query", "required": False, "schema": DATETIME,
                         "description": "With start_date: a range of at most 90 days."},
                        {"name": "status", "in": "query", "required": False, "schema": STRING,
                         "description": "open, closed, or both comma-separated."},
                    ],
                    "responses": {"200": _json({"type": "array", "maxItems": 1000, "items": _ref("ServiceRequest")},
                                               "The matching requests."),
                                  "400": BAD, "404": NOT_FOUND},
                },
                "post": {
                    "operationId": "createRequest", "summary": "Open a ticket for a resident",
                    "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                                    "schema": {"type": "string", "maxLength": 200},
                                    "description": "Same as the idempotency_key field."}],
                    "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
                        "type": "object", "required": ["api_key", "service_code", "phone"],
                        "properties": FORM_FIELDS}}}},
                    "responses": {
                        "201": {**_json({"type": "array", "minItems": 1, "maxItems": 1, "items": _ref("CreatedRequest")},
                                        "The ticket was opened (or had been, for a repeated idempotency key)."),
                                "links": CREATED_LINKS},
                        "400": BAD,
                        "403": _errors("api_key missing, invalid, revoked or of another community."),
                        "404": _errors("Unknown jurisdiction_id or service_code."),
                        "429": {**_errors("Too many requests for this api_key (60 a minute)."),
                                "headers": {"Retry-After": {"schema": {"type": "string"},
                                                            "description": "Seconds to wait."}}},
                    },
                },
            },
            f"{PREFIX}/requests/{{service_request_id}}.json": {"get": {
                "operationId": "getRequest", "summary": "One request (a one-element list)",
                "parameters": [{"name": "service_request_id", "in": "path", "required": True,
                                "schema": {"type": "string", "minLength": 1}, "example": "YANGLIU-20261122-0001"},
                               JURISDICTION],
                "responses": {"200": _json({"type": "array", "minItems": 1, "maxItems": 1,
                                            "items": _ref("ServiceRequest")}, "The request."),
                              "400": BAD, "404": NOT_FOUND},
            }},
        },
        "components": {"schemas": SCHEMAS},
    }
