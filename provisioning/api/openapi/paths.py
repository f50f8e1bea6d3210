"""The operations (RFC 7644 §3, §4) and what they share: parameters, headers, error answers."""

from __future__ import annotations

from typing import Any

from provisioning.api.openapi.json_schemas import REF, scim_types
from provisioning.scim import constants

MEDIA_TYPES = (constants.MEDIA_TYPE, "application/json")  # RFC 7644 §3.1, §8.1

# Every error status an operation may answer, and what it means here.
ERROR_DESCRIPTIONS = {
    400: "The request is invalid: see scimType and detail (RFC 7644 §3.12).",
    401: "No valid SCIM API token (Authorization: Bearer <token>).",
    404: "No such resource (unknown, malformed or deleted id).",
    409: "A unique attribute value (userName, emails) is already in use.",
    412: "If-Match names another version of the resource (RFC 7644 §3.14).",
    413: "The request body is larger than the server accepts.",
    # Answered by the HTTP server in front of the app (gunicorn: a request line over 4094
    # bytes), so with no SCIM error body.
    414: "The URL is longer than the HTTP server takes.",
    415: "The request body is neither application/scim+json nor application/json.",
    429: "Too many requests with this token, or too many failed authentications.",
    503: "The database is unavailable for a moment; retry after Retry-After seconds.",
}
# What any SCIM request may get, whatever the operation.
ALWAYS = (401, 414, 429, 503)

PROJECTION = ("attributes", "excludedAttributes")
LISTING = ("filter", "startIndex", "count", "sortBy", "sortOrder", *PROJECTION)


def _content(schema: str) -> dict[str, Any]:
    return {media_type: {"schema": {"$ref": f"{REF}{schema}"}} for media_type in MEDIA_TYPES}


def _ok(description: str, schema: str | None, *headers: str, **extra: Any) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description, **extra}
    if schema is not None:
        response["content"] = {constants.MEDIA_TYPE: {"schema": {"$ref": f"{REF}{schema}"}}}
    if headers:
        response["headers"] = {name: {"$ref": f"#/components/headers/{name}"} for name in headers}
    return response


def _responses(success: dict[str, dict[str, Any]], *statuses: int) -> dict[str, Any]:
    codes = sorted({*statuses, *ALWAYS})
    return success | {str(code): {"$ref": f"#/components/responses/{code}"} for code in codes}


def _parameters(*names: str) -> list[dict[str, str]]:
    return [{"$ref": f"#/components/parameters/{name}"} for name in names]


def _write(operation_id: str, summary: str, body: str, responses: dict) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "summary": summary,
        "parameters": _parameters("If-Match", *PROJECTION),
        "requestBody": {"required": True, "content": _content(body)},
        "responses": responses,
    }


def users_paths() -> dict[str, Any]:
    user = _ok("The user.", "User", "ETag")
    listing = {"200": _ok("A page of users.", "UserListResponse")}
    search = {
        "summary": "Search users with a SearchRequest body (RFC 7644 §3.4.3).",
        "requestBody": {"required": True, "content": _content("SearchRequest")},
        "responses": _responses(listing, 400, 413, 415),
    }
    created = _ok("The user was created.", "User", "ETag", "Location", links=_user_links())
    written = _responses({"200": user}, 400, 404, 409, 412, 413, 415)
    not_modified = _ok("The user has not changed.", None, "ETag")
    return {
        "/Users": {
            "get": {
                "operationId": "listUsers",
                "summary": "List or filter users (RFC 7644 §3.4.2).",
                "parameters": _parameters(*LISTING),
                "responses": _responses(listing, 400),
            },
            "post": {
                "operationId": "createUser",
                "summary": "Create a user (RFC 7644 §3.3).",
                "parameters": _parameters(*PROJECTION),
                "requestBody": {"required": True, "content": _content("UserRequest")},
                "responses": _responses({"201": created}, 400, 409, 413, 415),
            },
        },
        "/Users/.search": {"post": {"operationId": "searchUsers", **search}},
        "/.search": {
            "post": {
                "operationId": "searchAll",
                **search,
                "summary": "Search users, then groups, with a SearchRequest (RFC 7644 §3.4.3).",
                "responses": _responses(
                    {"200": _ok("A page of users and groups.", "ResourceListResponse")},
                    400,
                    413,
                    415,
                ),
            }
        },
        "/Users/{id}": {
            "parameters": _parameters("id"),
            "get": {
                "operationId": "getUser",
                "summary": "Read a user (RFC 7644 §3.4.1); If-None-Match may answer 304.",
                "parameters": _parameters("If-None-Match", *PROJECTION),
                "responses": _responses({"200": user, "304": not_modified}, 400, 404),
            },
            "put": _write(
                "replaceUser", "Replace a user (RFC 7644 §3.5.1).", "UserRequest", written
            ),
            "patch": _write("patchUser", "Modify a user (RFC 7644 §3.5.2).", "PatchOp", written),
            "delete": {
                "operationId": "deleteUser",
                "summary": "Delete a user (RFC 7644 §3.6); the portal keeps it soft-deleted.",
                "parameters": _parameters("If-Match"),
                "responses": _responses({"204": {"description": "Deleted."}}, 404, 412),
            },
        },
    }


def groups_paths() -> dict[str, Any]:
    group = _ok("The group, with every member.", "Group", "ETag")
    listing = {
        "200": _ok("A page of groups (members only if attributes names them).", "GroupListResponse")
    }
    created = _ok("The group was created.", "Group", "ETag", "Location")
    written = _responses({"200": group}, 400, 404, 409, 412, 413, 415)
    patched = _responses(
        {
            "200": group,
            "204": _ok("Changed (no attributes asked for: nothing is read back).", None, "ETag"),
        },
        400,
        404,
        409,
        412,
        413,
        415,
    )
    return {
        "/Groups": {
            "get": {
                "operationId": "listGroups",
                "summary": "List or filter groups (RFC 7644 §3.4.2).",
                "parameters": _parameters(*LISTING),
                "responses": _responses(listing, 400),
            },
            "post": {
                "operationId": "createGroup",
                "summary": "Create a group (RFC 7644 §3.3); unknown member ids are skipped.",
                "parameters": _parameters(*PROJECTION),
                "requestBody": {"required": True, "content": _content("GroupRequest")},
                "responses": _responses({"201": created}, 400, 409, 413, 415),
            },
        },
        "/Groups/.search": {
            "post": {
                "operationId": "searchGroups",
                "summary": "Search groups with a SearchRequest body (RFC 7644 §3.4.3).",
                "requestBody": {"required": True, "content": _content("SearchRequest")},
                "responses": _responses(listing, 400, 413, 415),
            }
        },
        "/Groups/{id}": {
            "parameters": _parameters("id"),
            "get": {
                "operationId": "getGroup",
                "summary": "Read a group and every member (RFC 7644 §3.4.1).",
                "parameters": _parameters("If-None-Match", *PROJECTION),
                "responses": _responses(
                    {"200": group, "304": _ok("The group has not changed.", None, "ETag")},
                    400,
                    404,
                ),
            },
            "put": _write(
                "replaceGroup",
                "Replace a group and its member list (RFC 7644 §3.5.1).",
                "GroupRequest",
                written,
            ),
            "patch": _write(
                "patchGroup",
                "Rename, add, remove or replace members (RFC 7644 §3.5.2).",
                "PatchOp",
                patched,
            ),
            "delete": {
                "operationId": "deleteGroup",
                "summary": "Delete a group and its memberships (RFC 7644 §3.6).",
                "parameters": _parameters("If-Match"),
                "responses": _responses({"204": {"description": "Deleted."}}, 404, 412),
            },
        },
    }


def _user_links() -> dict[str, Any]:
    """OpenAPI links: the id of a created user feeds the operations on that user."""
    target = {"id": "$response.body#/id"}
    return {
        operation_id.capitalize(): {"operationId": operation_id, "parameters": target}
        for operation_id in ("getUser", "replaceUser", "patchUser", "deleteUser")
    }


def _read(operation_id: str, summary: str, schema: str, *errors: int) -> dict[str, Any]:
    responses = _responses({"200": _ok(summary, schema)}, *errors)
    return {"get": {"operationId": operation_id, "summary": summary, "responses": responses}}


def discovery_paths() -> dict[str, Any]:
    by_id = {"parameters": _parameters("resourceId")}
    return {
        "/ServiceProviderConfig": _read(
            "getServiceProviderConfig", "What this server supports.", "ServiceProviderConfig"
        ),
        "/ResourceTypes": _read("listResourceTypes", "Resource types.", "ResourceTypeListResponse"),
        "/ResourceTypes/{resourceId}": by_id
        | _read("getResourceType", "One resource type.", "ResourceType", 404),
        "/Schemas": _read("listSchemas", "Schemas (RFC 7643 §7).", "SchemaListResponse"),
        "/Schemas/{resourceId}": by_id | _read("getSchema", "One schema.", "Schema", 404),
        "/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This description; needs no token.",
                "security": [],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.0.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


def _header(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "header", "schema": {"type": "string"}, "description": description}


def parameters() -> dict[str, Any]:
    string = {"type": "string"}
    integer = {"type": "integer"}
    names = "Comma-separated attribute names (RFC 7644 §3.4.2.5); not with"
    order = {"type": "string", "enum": ["ascending", "descending"]}
    return {
        "id": {"name": "id", "in": "path", "required": True, "schema": string | {"format": "uuid"}},
        "resourceId": {"name": "resourceId", "in": "path", "required": True, "schema": string},
        "filter": _query("filter", string, 'RFC 7644 §3.4.2.2, e.g. userName eq "a@b.example".'),
        "startIndex": _query("startIndex", integer, "1-based; below 1 means 1."),
        "count": _query(
            "count", integer, f"Page size; below 0 means 0, at most {constants.MAX_COUNT}."
        ),
        "sortBy": _query("sortBy", string, "An attribute name (RFC 7644 §3.4.2.3)."),
        "sortOrder": _query("sortOrder", order, "Ascending unless told."),
        "attributes": _query("attributes", string, f"{names} excludedAttributes."),
        "excludedAttributes": _query("excludedAttributes", string, f"{names} attributes."),
        "If-Match": _header("If-Match", 'An ETag of this server, e.g. W/"3" (RFC 7644 §3.14).'),
        "If-None-Match": _header("If-None-Match", "ETags; 304 if one is current (RFC 9110)."),
    }


def headers() -> dict[str, Any]:
    def header(description: str, **schema: Any) -> dict[str, Any]:
        return {"description": description, "required": True, "schema": schema}

    return {
        "ETag": header('Weak entity tag of the version, e.g. W/"3".', type="string"),
        "Location": header("URI of the created user.", type="string"),
        "WWW-Authenticate": header("The Bearer challenge (RFC 6750 §3).", type="string"),
        "Retry-After": header("Seconds to wait.", type="integer", minimum=1),
    }


def error_responses() -> dict[str, Any]:
    return {str(status): _error_response(status) for status in ERROR_DESCRIPTIONS}


def _error_response(status: int) -> dict[str, Any]:
    """The Error envelope with this status in "status", and only this status's scimTypes."""
    if status == 414:
        return {"description": ERROR_DESCRIPTIONS[status]}
    types = scim_types(status)
    specific: dict[str, dict[str, Any]] = {
        "status": {"type": "string", "enum": [str(status)]},
        "scimType": {"type": "string", "enum": types} if types else {"not": {}},
    }
    schema = {"allOf": [{"$ref": f"{REF}Error"}, {"properties": specific}]}
    response: dict[str, Any] = {
        "description": ERROR_DESCRIPTIONS[status],
        "content": {constants.MEDIA_TYPE: {"schema": schema}},
    }
    challenge = {401: "WWW-Authenticate", 429: "Retry-After", 503: "Retry-After"}.get(status)
    if challenge:
        response["headers"] = {challenge: {"$ref": f"#/components/headers/{challenge}"}}
    return response
