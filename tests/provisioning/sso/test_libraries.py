"""The SAML stack: python3-saml, xmlsec and lxml, pinned together, sharing one libxml2.

This package's ``__init__`` imports lxml and xmlsec before anything else; these tests say what
that guards and that the installed versions are the pinned ones.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import lxml.etree
import xmlsec

PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"
PINNED_TOGETHER = ("python3-saml", "xmlsec", "lxml")


def pinned() -> dict[str, str]:
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    pins = (re.fullmatch(r"([\w.-]+)==([\w.]+)", spec) for spec in dependencies)
    return {match[1]: match[2] for match in pins if match}


def test_lxml_and_xmlsec_bundle_the_same_libxml2():
    assert xmlsec.get_libxml_version() == lxml.etree.LIBXML_VERSION


def test_python3_saml_imports_with_them():
    from onelogin.saml2.auth import OneLogin_Saml2_Auth

    assert OneLogin_Saml2_Auth


def test_the_saml_stack_is_pinned_together_and_installed_as_pinned():
    pins = pinned()

    assert {name: pins.get(name) for name in PINNED_TOGETHER} == {
        name: version(name) for name in PINNED_TOGETHER
    }
