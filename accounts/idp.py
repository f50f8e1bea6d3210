"""What an identity provider manages of a user it provisions over SCIM, as accounts knows it:
the fields whose local edit its next push overwrites, for the per-field notes of the user's
page and edit form.

accounts imports no provisioning (STYLE.md rule 21). The fields SCIM writes are the SCIM
registry's writable attributes (``provisioning.scim.registry.writable()``): provisioning hands
them over by their model names (``register_written_fields``) from its ``ready()``. Whether the
IdP writes the custom user fields too is a SCIM setting: provisioning answers it through
``register_custom_fields_check``, from there too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from accounts.models import User, UserSource

CUSTOM_FIELDS = "custom_fields"

# The user's fields a SCIM write sets, by model name (set by register_written_fields).
_written_fields: frozenset[str] = frozenset()
_custom_fields_checks: list[Callable[[], bool]] = []


def register_written_fields(fields: Iterable[str]) -> None:
    """Tell accounts which of the user's fields a SCIM write sets (called from the provisioning
    app's ``ready()``). Not the password: an IdP sends it only when it syncs passwords, and a
    PUT without one keeps it."""
    global _written_fields
    _written_fields = frozenset(fields) - {"password"}


def written_fields() -> frozenset[str]:
    """The user's fields a SCIM write sets, by model name."""
    return _written_fields


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
        return _written_fields | {CUSTOM_FIELDS}
    return _written_fields
