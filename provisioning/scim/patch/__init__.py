"""SCIM PATCH for the User resource (RFC 7644 §3.5.2), as pure Python.

``parse_patch_request`` checks a PatchOp body and returns ``PatchOperation``s; ``apply_patch``
applies them to the full SCIM representation of a user (core attributes at the top level,
extension attributes under their schema URN) and returns a new dict, which the caller then
treats like a PUT body. Names are case-insensitive on the way in and canonical on the way out
(RFC 7643 §2.1); every characteristic comes from ``provisioning.scim.schemas``.

- ``operations``: the PatchOp body -> ``PatchOperation``s.
- ``targets``: a path, or a key of a path-less value -> the attribute it names.
- ``apply``: operations applied, in order, to a copy of the resource.
- ``elements``: value filters and sub-attributes of a multi-valued attribute's elements.
- ``values``: values checked against their attribute and spelled canonically; element identity.
- ``primary``: at most one primary element per attribute (RFC 7643 §2.4).
- ``access``: case-insensitive reads and writes of a resource's dicts.

Choices the RFC leaves open:

* An unknown ``op`` is ``invalidValue``: the body has the right shape, but "op" holds a value
  outside add/remove/replace. A missing or non-string ``op`` is ``invalidSyntax``.
* Attributes this server does not define, and read-only ones other than ``id`` (``meta``,
  ``groups``, ``manager.displayName``), are ignored: IdPs send whatever their mapping holds, and
  failing the whole request over an attribute we maintain ourselves helps nobody. ``schemas``
  is ignored too: it follows the extension attributes present. ``id`` is an error
  (``mutability``), because a client that tries to change it has the wrong resource in mind.
* ``null`` means "unassigned" (RFC 7643 §2.5): replacing with null removes the attribute.

Every deviation made for an identity provider is in the "IdP quirks" section at the end of the
module it bends (``operations``, ``targets``, ``apply``, ``elements``, ``values``), which applies
the readings of ``provisioning.scim.quirks``.
"""

from provisioning.scim.patch.apply import apply_patch
from provisioning.scim.patch.operations import (
    PatchOperation,
    parse_patch_request,
    password_set_by,
)

__all__ = ["PatchOperation", "apply_patch", "parse_patch_request", "password_set_by"]
