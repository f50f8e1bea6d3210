"""What identity providers send that RFC 7643/7644 do not say, read the way they mean it.

The values read otherwise than the RFCs say are read here, each with the IdP that needs it.
Four deviations extend the filter grammar or what a PATCH does, so they live in the code they
extend, each under a comment naming its IdP; this is their index:

- ``filters.parser``: Entra's 'emails[type eq "work"].value eq "x"', read as the element
  filter it means;
- ``patch.elements`` (``_created_element``): Okta and Entra set 'emails[type eq "work"].value'
  on a user without a work email, which creates it;
- ``patch.apply`` (``_without_listed_values``): Entra removes members with a value;
- ``parsing`` (``_unknown_in``): Entra's empty "roles": [] is nothing sent, not an attribute
  this server ignores.

The portal itself accepts "en_US" for "en-US" (``accounts.services.validation``), as Entra
sends it. Everything else in ``provisioning.scim`` follows the RFCs to the letter.
"""

from __future__ import annotations

from typing import Any

_BOOLEAN_STRINGS = {"true": True, "false": False}


def boolean(value: Any) -> bool | None:
    """A boolean, or None if ``value`` is none.

    Microsoft Entra ID sends booleans as the strings "True" and "False" (in User bodies, in
    PATCH values and in filters): those two words, in any case, are read as the boolean they
    spell. Nothing else is: "1", "yes" and "" are not booleans.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _BOOLEAN_STRINGS.get(value.strip().lower())
    return None


def patch_op(value: str) -> str:
    """Microsoft Entra ID capitalises PATCH ops ("Add", "Replace", "Remove"); RFC 7644 §3.5.2
    spells them in lower case."""
    return value.strip().lower()


def complex_value(value: Any, *, takes_bare_value: bool) -> Any:
    """Microsoft Entra ID sends the enterprise manager as a bare id, ``"manager": "<id>"``,
    for ``{"value": "<id>"}``: a single-valued complex attribute with a "value"
    sub-attribute (``takes_bare_value``) reads a bare string so."""
    return {"value": value} if takes_bare_value and isinstance(value, str) else value


# Okta's Group Push sends a group's description under "urn:okta:custom:group:1.0", a URN of
# its own that is no SCIM schema URN (RFC 7643 §10.2): it is read as our extension's.
GROUP_EXTENSION_ALIASES = frozenset({"urn:okta:custom:group:1.0"})
