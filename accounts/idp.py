"""What an identity provider manages of a user it provisions over SCIM, as accounts knows it:
the fields whose local edit its next push overwrites, for the per-field notes of the user's
page and edit form.

accounts imports no provisioning (STYLE.md rule 21). The fields SCIM writes are therefore
listed here by their model names, and tests/provisioning/test_idp_fields.py checks the list
against the SCIM registry (``provisioning.scim.registry.writable()``). Whether the IdP writes
the custom user fields too is a SCIM setting: provisioning answers it through
``register_custom_fields_check`` from its ``ready()``.
"""

from __future__ import annotations

from collections.abc import Callable

from accounts.models import User, UserSource

# The user's fields a SCIM write sets (the User schemas' writable attributes, by the field
# that keeps each). Not the password: write-only, an IdP sends it only when it syncs
# passwords, and a PUT without one keeps it.
WRITTEN_FIELDS = frozenset(
    {
        "username",
        "external_id",
        "is_active",
        # name
        "formatted_name",
        "first_name",
        "last_name",
        "middle_name",
        "honorific_prefix",
        "honorific_suffix",
        "display_name",
        "nick_name",
        "profile_url",
        "title",
        # emails: the portal's address, and the others kept as sent
        "email",
        "email_type",
        "email_primary",
        "other_emails",
        "phone_numbers",
        "addresses",
        "time_zone",
        "user_type",
        "language",
        "locale",
        # the enterprise extension
        "employee_number",
        "cost_center",
        "organization",
        "division",
        "department",
        "manager_ref",
        "manager_display_name",
        # the LMS extension
        "branches",
    }
)
CUSTOM_FIELDS = "custom_fields"

_custom_fields_checks: list[Callable[[], bool]] = []


def register_custom_fields_check(check: Callable[[], bool]) -> None:
    """Tell accounts how to learn whether the IdP writes the custom user fields (called from
    the provisioning app's ``ready()``)."""
    if check not in _custom_fields_checks:  # ready() may run again (tests, reloads)
        _custom_fields_checks.append(check)


def is_provisioned(user: User) -> bool:
    """Whether an IdP provisions ``user`` over SCIM (made by it, or linked to it by an
    external id), so that its next push overwrites a local edit; never a deleted user, which
    the IdP no longer sees. The banner of the user's pages says the same
    (templates/portal/users/_idp_banner.html)."""
    return not user.is_deleted and (user.source == UserSource.SCIM or bool(user.external_id))


def managed_fields(user: User) -> frozenset[str]:
    """The fields of ``user`` its IdP overwrites on its next push, by model name, with
    ``CUSTOM_FIELDS`` when it writes the custom user fields; none if no IdP provisions it."""
    if not is_provisioned(user):
        return frozenset()
    if any(check() for check in _custom_fields_checks):
        return WRITTEN_FIELDS | {CUSTOM_FIELDS}
    return WRITTEN_FIELDS
