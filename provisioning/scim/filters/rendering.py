"""Filter ASTs back to canonical filter text (RFC 7644 §3.4.2.2)."""

from __future__ import annotations

import json

from provisioning.scim.filters.nodes import And, Compare, Filter, Not, Or, Present, ValuePath

__all__ = ["render"]


def _render_value(value: str | int | float | bool | None) -> str:
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return json.dumps(value, ensure_ascii=False)


def _grouped(node: Filter, *kinds: type) -> str:
    text = render(node)
    return f"({text})" if isinstance(node, kinds) else text


def render(node: Filter) -> str:
    """Canonical filter text: lower-case operators, JSON values, only the parentheses needed.

    ``parse_filter(render(tree)) == tree``: "and"/"or" associate to the left, so a right
    operand of the same kind keeps its parentheses.
    """
    match node:
        case Compare(path, op, value):
            return f"{path} {op} {_render_value(value)}"
        case Present(path):
            return f"{path} pr"
        case And(left, right):
            return f"{_grouped(left, Or)} and {_grouped(right, And, Or)}"
        case Or(left, right):
            return f"{render(left)} or {_grouped(right, Or)}"
        case Not(expr):
            return f"not ({render(expr)})"
        case ValuePath(path, inner):
            return f"{path}[{render(inner)}]"
    raise TypeError(f"Not a filter node: {node!r}")
