"""accounts knows the user fields SCIM writes (``accounts.idp``: it imports no provisioning,
STYLE.md rule 21) for the notes on a user's pages; provisioning hands over the registry's."""

from __future__ import annotations

import pytest

from accounts import idp
from accounts.models import User, UserSource
from provisioning import services
from provisioning.scim import registry

pytestmark = pytest.mark.django_db


def test_the_fields_accounts_notes_are_those_the_scim_registry_writes():
    written = {storage.split("__")[0] for storage in registry.writable()}

    assert idp.written_fields() == written - {"password"}
    assert {"username", "first_name", "email", "manager_ref", "branches"} <= idp.written_fields()


def test_every_field_noted_is_a_field_of_the_user():
    names = {field.name for field in User._meta.get_fields()}

    assert names >= idp.written_fields()


def test_the_custom_fields_are_noted_while_scim_writes_them(actor):
    carol = User(source=UserSource.SCIM)

    before = idp.managed_fields(carol)
    services.set_custom_fields_provisioning(True, actor=actor)

    assert idp.CUSTOM_FIELDS not in before
    assert idp.managed_fields(carol) == idp.written_fields() | {idp.CUSTOM_FIELDS}
    assert idp.managed_fields(User(source=UserSource.MANUAL)) == frozenset()
