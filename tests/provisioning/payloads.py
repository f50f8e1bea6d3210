"""SCIM messages as Okta and Microsoft Entra ID really send them, and the envelopes they get back.

Request bodies follow the providers' published SCIM integration guides (Okta: "SCIM 2.0
protocol reference"; Microsoft: "Tutorial: develop a SCIM endpoint", request/response
examples), including their quirks: Okta PATCHes with and without ``path``; Entra capitalises
``op`` names, sends booleans as the strings "True"/"False" and addresses the work email as
``emails[type eq "work"].value``.
"""

from __future__ import annotations

from typing import Any

from provisioning.scim.constants import (
    ENTERPRISE_USER_SCHEMA,
    ERROR,
    LIST_RESPONSE,
    LMS_USER_SCHEMA,
    PATCH_OP,
    SEARCH_REQUEST,
    USER_SCHEMA,
)

STRONG_PASSWORD = "Tr0ub4dor&3-staple-horse"
ROOT = "/api/scim2"
# Where Django's test client says the API lives (meta.location, Location headers).
BASE_URL = f"http://testserver{ROOT}"

# Okta ---------------------------------------------------------------------------------------


def okta_create_user(
    user_name: str,
    first: str,
    last: str,
    email: str,
    password: str = STRONG_PASSWORD,
    **extra: Any,
) -> dict[str, Any]:
    """Okta's POST /Users body (Okta SCIM 2.0 reference, "Create the user")."""
    return {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": first, "familyName": last},
        "emails": [{"primary": True, "value": email, "type": "work"}],
        "displayName": f"{first} {last}",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "password": password,
        "active": True,
        **extra,
    }


def okta_put_user(
    scim_id: str, user_name: str, first: str, last: str, email: str, **extra: Any
) -> dict[str, Any]:
    """Okta's PUT /Users/{id} body: the whole user, id and active included, no password."""
    return {
        "schemas": [USER_SCHEMA],
        "id": scim_id,
        "userName": user_name,
        "name": {"givenName": first, "familyName": last},
        "emails": [{"primary": True, "value": email, "type": "work"}],
        "displayName": f"{first} {last}",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "active": True,
        **extra,
    }


def patch_op(*operations: dict[str, Any]) -> dict[str, Any]:
    """A PatchOp message (RFC 7644 §3.5.2)."""
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def okta_deactivate_patch(*, with_path: bool = False) -> dict[str, Any]:
    """Okta deactivates with a path-less replace; newer integrations send ``path: active``."""
    if with_path:
        return patch_op({"op": "replace", "path": "active", "value": False})
    return patch_op({"op": "replace", "value": {"active": False}})


def okta_reactivate_patch(*, with_path: bool = False) -> dict[str, Any]:
    if with_path:
        return patch_op({"op": "replace", "path": "active", "value": True})
    return patch_op({"op": "replace", "value": {"active": True}})


def okta_password_patch(password: str, *, with_path: bool = False) -> dict[str, Any]:
    """Okta's "sync password" push."""
    if with_path:
        return patch_op({"op": "replace", "path": "password", "value": password})
    return patch_op({"op": "replace", "value": {"password": password}})


# Microsoft Entra ID -------------------------------------------------------------------------


def entra_create_user(
    user_name: str,
    first: str,
    last: str,
    email: str,
    *,
    department: str = "Sales",
    **extra: Any,
) -> dict[str, Any]:
    """Entra's POST /Users body, enterprise extension included (no password: Entra sends none)."""
    return {
        "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": user_name,
        "active": True,
        "displayName": f"{first} {last}",
        "emails": [{"primary": True, "type": "work", "value": email}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": f"{first} {last}", "familyName": last, "givenName": first},
        "roles": [],
        ENTERPRISE_USER_SCHEMA: {
            "employeeNumber": "701984",
            "department": department,
            "costCenter": "4130",
            "organization": "Contoso",
            "division": "EMEA",
        },
        **extra,
    }


def entra_patch(*operations: dict[str, Any]) -> dict[str, Any]:
    """Entra's PatchOp: build operations with ``entra_op``."""
    return patch_op(*operations)


def entra_op(op: str, path: str | None, value: Any = None) -> dict[str, Any]:
    """One Entra operation: ``op`` as Entra spells it ("Replace", "Add", "Remove")."""
    operation: dict[str, Any] = {"op": op}
    if path is not None:
        operation["path"] = path
    if value is not None:
        operation["value"] = value
    return operation


ENTRA_WORK_EMAIL = 'emails[type eq "work"].value'
ENTERPRISE_DEPARTMENT = f"{ENTERPRISE_USER_SCHEMA}:department"


def lms_branch(name: str) -> dict[str, Any]:
    """The portal's own extension, naming the branch the user belongs to."""
    return {LMS_USER_SCHEMA: {"branch": name}}


def search_request(**members: Any) -> dict[str, Any]:
    """A POST /.search body (RFC 7644 §3.4.3)."""
    return {"schemas": [SEARCH_REQUEST], **members}


# What the server answers --------------------------------------------------------------------


def scim_error(status: int, detail: str, scim_type: str | None = None) -> dict[str, Any]:
    """An error document (RFC 7644 §3.12): status is a string, scimType only where defined."""
    document: dict[str, Any] = {"schemas": [ERROR], "status": str(status)}
    if scim_type is not None:
        document["scimType"] = scim_type
    document["detail"] = detail
    return document


# The 401 a request without a valid token gets, and its challenge (RFC 6750 §3).
CHALLENGE = 'Bearer realm="scim"'
UNAUTHORIZED = scim_error(
    401, "Authentication failed: send a valid SCIM API token as a Bearer token."
)

# RFC 7643 §2.2 and §7: what every attribute and sub-attribute definition says of itself.
CHARACTERISTICS = frozenset(
    {
        "name",
        "type",
        "multiValued",
        "description",
        "required",
        "caseExact",
        "mutability",
        "returned",
        "uniqueness",
    }
)


def list_response(
    resources: list[dict[str, Any]], *, total: int | None = None, start_index: int = 1
) -> dict[str, Any]:
    """A ListResponse (RFC 7644 §3.4.2) holding ``resources``."""
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": len(resources) if total is None else total,
        "startIndex": start_index,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }
