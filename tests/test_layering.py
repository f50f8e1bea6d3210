"""Layering (STYLE.md rule 21): ``lms`` composes the apps, ``provisioning`` builds on
``accounts``, and ``accounts`` imports neither. Read from the source with ``ast``, so an
import inside a function counts as much as one at the top of a module."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("accounts", "provisioning", "lms")


def sources(package: str) -> list[str]:
    return sorted(str(path.relative_to(ROOT)) for path in (ROOT / package).rglob("*.py"))


def imports(source: str, *, in_functions: bool = False) -> Iterator[tuple[int, str]]:
    """(line, top-level package) of each absolute import in ``source``; with ``in_functions``,
    only those inside a function."""
    tree = ast.parse((ROOT / source).read_text(), filename=source)
    scopes = [tree]
    if in_functions:
        functions = (ast.FunctionDef, ast.AsyncFunctionDef)
        scopes = [
            node
            for node in ast.walk(tree)
            if isinstance(node, functions) and not _is_app_ready(source, node)
        ]
    for scope in scopes:
        for node in ast.walk(scope):
            if isinstance(node, ast.Import):
                yield from ((node.lineno, alias.name.split(".")[0]) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                yield node.lineno, node.module.split(".")[0]


def _is_app_ready(source: str, function: ast.AST) -> bool:
    """``AppConfig.ready()``: where Django has apps import what needs the app registry, once
    every app is loaded (an app's models cannot be imported by its apps module)."""
    return source.endswith("/apps.py") and getattr(function, "name", "") == "ready"


def imports_of(source: str, packages: set[str], **options: bool) -> list[str]:
    return [
        f"{source}:{line} {name}" for line, name in imports(source, **options) if name in packages
    ]


@pytest.mark.parametrize("source", sources("accounts"))
def test_accounts_imports_neither_provisioning_nor_lms(source):
    assert imports_of(source, {"provisioning", "lms"}) == []


@pytest.mark.parametrize("source", sources("provisioning"))
def test_provisioning_imports_nothing_from_lms(source):
    assert imports_of(source, {"lms"}) == []


@pytest.mark.parametrize("source", [s for package in PACKAGES for s in sources(package)])
def test_no_module_imports_the_project_inside_a_function(source):
    """An import inside a function hides a cycle that module-level imports would show at
    start-up (within an app too: models <-> services)."""
    assert imports_of(source, set(PACKAGES), in_functions=True) == []
