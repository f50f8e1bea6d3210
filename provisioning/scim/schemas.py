"""The User resource's registry: every attribute this server supports, declared once.

Each attribute states its RFC 7643 characteristics (§2.2: type, multiValued, mutability,
returned, caseExact, uniqueness) and, for this server, where its value is kept and whether an
IdP may filter and sort on it (``provisioning.scim.attributes.Attribute``). The core User
(RFC 7643 §4.1, §8.7.1), the Enterprise User extension (§4.3) and our LMS extension; the
attributes every resource has (``id``, ``meta``...) are in ``provisioning.scim.common``. Parsing,
PATCH, the filter translator, sorting, the representation, ``/Schemas`` and the OpenAPI
document all read these declarations: adding an attribute is one entry here and its column.
"""

from __future__ import annotations

import zoneinfo

from provisioning.scim import constants
from provisioning.scim.attributes import (
    BOOLEAN,
    COMPLEX,
    READ_ONLY,
    REFERENCE,
    STRING,
    WRITE_ONLY,
    Attribute,
    Returned,
    Schema,
    Uniqueness,
    read_only,
)

PASSWORD = Attribute(
    "password",
    description="Cleartext password, to set or change the user's password. Never returned.",
    mutability=WRITE_ONLY,
    returned=Returned.NEVER,
    storage="password",
    kept_when_absent=True,
)

# Suggested values (RFC 7643 §2.3.1 canonicalValues) for attributes the portal validates.
TIME_ZONES = tuple(sorted(zoneinfo.available_timezones()))
LANGUAGE_TAGS = (
    "ar", "cs", "da", "de", "de-AT", "de-CH", "de-DE", "el", "en", "en-AU", "en-CA", "en-GB",
    "en-US", "es", "es-ES", "es-MX", "fi", "fr", "fr-CA", "fr-FR", "he", "hu", "it", "ja", "ko",
    "nb", "nl", "pl", "pt", "pt-BR", "pt-PT", "ro", "ru", "sv", "tr", "uk", "zh-CN", "zh-TW",
)  # fmt: skip


def _text(name: str, description: str, storage: str) -> Attribute:
    """A plain text attribute an IdP may filter on."""
    return Attribute(name, description=description, storage=storage, filterable=True)


def _element_text(
    name: str,
    description: str,
    *,
    filterable: bool = True,
    canonical_values: tuple[str, ...] = (),
) -> Attribute:
    """A text of each element of a list kept whole (its parent's ``storage``)."""
    return Attribute(
        name, description=description, filterable=filterable, canonical_values=canonical_values
    )


def _element_primary(what: str) -> Attribute:
    return Attribute(
        "primary",
        BOOLEAN,
        f"Whether this is the preferred {what}; true at most once (RFC 7643 §2.4).",
        filterable=True,
    )


USER = Schema(
    constants.USER_SCHEMA,
    "User",
    "User Account",
    (
        Attribute(
            "userName",
            description="Unique identifier for the user, used to sign in.",
            required=True,
            uniqueness=Uniqueness.SERVER,
            storage="username",
            filterable=True,
            sortable=True,
        ),
        Attribute(
            "name",
            COMPLEX,
            "The components of the user's real name.",
            sub_attributes=(
                _text(
                    "formatted",
                    "The full name as it is displayed, with titles and middle names.",
                    "formatted_name",
                ),
                Attribute(
                    "familyName",
                    description="Family name (last name).",
                    storage="last_name",
                    filterable=True,
                    sortable=True,
                ),
                Attribute(
                    "givenName",
                    description="Given name (first name).",
                    storage="first_name",
                    filterable=True,
                    sortable=True,
                ),
                _text("middleName", "Middle name(s).", "middle_name"),
                _text(
                    "honorificPrefix", "Honorific prefix, or title, e.g. 'Ms.'.", "honorific_prefix"
                ),
                _text("honorificSuffix", "Honorific suffix, e.g. 'III'.", "honorific_suffix"),
            ),
        ),
        Attribute(
            "displayName",
            description="Name of the user, suitable for display.",
            storage="display_name",
            filterable=True,
            sortable=True,
        ),
        _text("nickName", "Casual name of the user, e.g. 'Bob' for Robert.", "nick_name"),
        Attribute(
            "profileUrl",
            REFERENCE,
            "URL of the user's online profile, e.g. a web page.",
            reference_types=("external",),
            storage="profile_url",
        ),
        _text("title", "The user's title, e.g. 'Vice President'.", "title"),
        Attribute(
            "emails",
            COMPLEX,
            # The portal's address, the one a person signs in with and that is unique, is the
            # primary one, else the work one, else the first; it is kept in columns of its
            # own, the others whole in "other_emails", each as it was sent.
            "Email addresses of the user. The primary one, else the work one, else the first "
            "is the user's address in the portal and unique; the others are kept as sent.",
            multi_valued=True,
            others="other_emails",
            sortable=True,  # by the value (RFC 7644 §3.4.2.3: the primary one)
            sub_attributes=(
                Attribute(
                    "value",
                    description="Email address.",
                    storage="email",
                    filterable=True,
                    sortable=True,
                    cleared=None,
                ),
                Attribute(
                    "type",
                    description="Label of the address, e.g. 'work' or 'home'.",
                    canonical_values=("work", "home", "other"),
                    storage="email_type",
                    filterable=True,
                    cleared="work",
                ),
                Attribute(
                    "primary",
                    BOOLEAN,
                    "Whether this is the preferred address.",
                    storage="email_primary",
                    filterable=True,
                    cleared=True,
                ),
            ),
        ),
        Attribute(
            "active",
            BOOLEAN,
            "Whether the user may sign in. Defaults to true on create; cannot be removed.",
            required=True,
            storage="is_active",
            filterable=True,
            sortable=True,
            kept_when_absent=True,
        ),
        PASSWORD,
        Attribute(
            "phoneNumbers",
            COMPLEX,
            "Phone numbers of the user, each as it was sent.",
            multi_valued=True,
            storage="phone_numbers",
            cleared=[],
            sub_attributes=(
                _element_text("value", "The phone number, e.g. 'tel:+1-201-555-0123'."),
                _element_text("display", "The number as it is displayed.", filterable=False),
                _element_text(
                    "type",
                    "Label of the number.",
                    canonical_values=("work", "mobile", "fax", "pager", "home", "other"),
                ),
                _element_primary("number"),
            ),
        ),
        Attribute(
            "addresses",
            COMPLEX,
            "Physical mailing addresses of the user, each as it was sent.",
            multi_valued=True,
            storage="addresses",
            cleared=[],
            sub_attributes=(
                _element_text("formatted", "The full address, as it is displayed."),
                _element_text("streetAddress", "House number, street, building, ..."),
                _element_text("locality", "City or locality."),
                _element_text("region", "State or region."),
                _element_text("postalCode", "Zip or postal code."),
                _element_text("country", "Country, as an ISO 3166-1 alpha-2 code, e.g. 'US'."),
                _element_text(
                    "type", "Label of the address.", canonical_values=("work", "home", "other")
                ),
                _element_primary("address"),
            ),
        ),
        Attribute(
            "timezone",
            description=(
                "Time zone in IANA format, e.g. 'Europe/Berlin'. When absent on create, the "
                "branch's or the portal's default applies; cannot be removed."
            ),
            required=True,
            case_exact=True,  # IANA names are: the portal refuses "europe/berlin"
            canonical_values=TIME_ZONES,
            storage="time_zone",
            filterable=True,
            kept_when_absent=True,
        ),
        Attribute(
            "userType",
            description=(
                "The portal's user type, by name (see canonicalValues). When absent on create, "
                "the branch's or the portal's default applies; cannot be removed."
            ),
            required=True,
            storage="user_type__name",
            filterable=True,
            kept_when_absent=True,
        ),
        Attribute(
            "preferredLanguage",
            description="Preferred language (RFC 7231 §5.3.5); the portal keeps the first tag.",
            canonical_values=LANGUAGE_TAGS,
            storage="language",
            filterable=True,
        ),
        Attribute(
            "locale",
            description="Default location for localisation, e.g. 'en-US'.",
            canonical_values=LANGUAGE_TAGS,
            storage="locale",
            filterable=True,
        ),
        Attribute(
            "groups",
            COMPLEX,
            "Groups the user belongs to.",
            multi_valued=True,
            mutability=READ_ONLY,
            storage="groups",
            relation=True,
            sub_attributes=read_only(
                Attribute("value", STRING, "Identifier of the group."),
                Attribute(
                    "$ref", REFERENCE, "URI of the group.", reference_types=("User", "Group")
                ),
                Attribute("display", STRING, "Name of the group."),
                Attribute(
                    "type",
                    STRING,
                    "How the user is a member: 'direct' or 'indirect' (RFC 7643 §4.1.2).",
                    canonical_values=("direct", "indirect"),
                ),
            ),
        ),
    ),
    is_core=True,
)


ENTERPRISE_USER = Schema(
    constants.ENTERPRISE_USER_SCHEMA,
    "EnterpriseUser",
    "Enterprise User",
    (
        _text("employeeNumber", "Identifier assigned by the organisation.", "employee_number"),
        _text("costCenter", "Name of a cost center.", "cost_center"),
        _text("organization", "Name of an organisation.", "organization"),
        _text("division", "Name of a division.", "division"),
        _text("department", "Name of a department.", "department"),
        Attribute(
            "manager",
            COMPLEX,
            "The user's manager.",
            sub_attributes=(
                Attribute(
                    "value",
                    description="The id of the manager's SCIM resource.",
                    storage="manager_ref",
                    filterable=True,
                ),
                Attribute(
                    "$ref",
                    REFERENCE,
                    # readWrite as RFC 7643 §8.7.1 lists it (conformance testers expect it);
                    # what a client sends is not kept: the URI is made from value.
                    "URI of the manager's SCIM resource, made from value.",
                    reference_types=("User",),
                ),
                # RFC 7643 §4.3 makes it read-only, for a server that looks the manager up;
                # Okta's default mapping pushes it (its "manager" profile attribute), and the
                # manager need not be a user here: it is kept as sent.
                Attribute(
                    "displayName",
                    description="Display name of the manager, as the identity provider sent it.",
                    storage="manager_display_name",
                ),
            ),
        ),
    ),
)

LMS_USER = Schema(
    constants.LMS_USER_SCHEMA,
    "LmsUser",
    "LMS User",
    (
        Attribute(
            "branch",
            description="Name of the branch the user belongs to.",
            storage="branches",
            relation=True,
        ),
    ),
)

USER_RESOURCE_SCHEMAS = (USER, ENTERPRISE_USER, LMS_USER)
