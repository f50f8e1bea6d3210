"""The SCIM filter language (RFC 7644 §3.4.2.2) and PATCH paths (RFC 7644 §3.5.2), as pure Python.

``parse_filter`` turns filter text into a small AST of frozen dataclasses; ``render`` turns it
back into canonical text; ``matches`` evaluates it against a dict (used for PATCH value filters
such as ``emails[type eq "work"]``); ``parse_path`` reads a PATCH ``path``. Translating an AST
into a database query is ``provisioning.orm_filters``'s job: nothing here knows about Django.

- ``nodes``: the AST (``AttrPath``, ``Compare``, ``Present``, ``And``, ``Or``, ``Not``,
  ``ValuePath``, ``PatchPath``) and the operator sets.
- ``lexer``: filter text -> tokens.
- ``parser``: tokens -> AST, a recursive descent over the ABNF of RFC 7644 Figure 1.
- ``rendering``: AST -> canonical text.
- ``matching``: AST evaluated against a dict, in memory.
- ``values``: a comparison value read as its attribute's type, for a query.

Any text, however malformed, raises ``InvalidFilter`` (``InvalidPath`` from ``parse_path``) and
nothing else: input length and nesting depth are capped, so neither time nor recursion runs away.
"""

from provisioning.scim.filters.matching import matches
from provisioning.scim.filters.nodes import (
    And,
    AttrPath,
    Compare,
    Filter,
    Not,
    Or,
    PatchPath,
    Present,
    ValuePath,
)
from provisioning.scim.filters.parser import (
    MAX_FILTER_DEPTH,
    MAX_FILTER_LENGTH,
    parse_filter,
    parse_path,
)
from provisioning.scim.filters.rendering import render

__all__ = [
    "MAX_FILTER_DEPTH",
    "MAX_FILTER_LENGTH",
    "And",
    "AttrPath",
    "Compare",
    "Filter",
    "Not",
    "Or",
    "PatchPath",
    "Present",
    "ValuePath",
    "matches",
    "parse_filter",
    "parse_path",
    "render",
]
