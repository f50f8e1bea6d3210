"""The SCIM API's reads (provisioning.queries)."""

from __future__ import annotations

import pytest

from accounts.models import Group
from provisioning import queries
from tests.factories import BranchFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_user_views_join_branches_and_groups_without_repeating_users(db):
    users = [UserFactory() for _ in range(3)]
    north, south = BranchFactory(name="North"), BranchFactory(name="South")
    groups = [Group.objects.create(name=name) for name in ("A", "B", "C")]
    users[0].branches.add(south, north)
    users[0].member_of.add(*groups)
    users[1].member_of.add(groups[1])

    views = [queries.get_user_view(str(user.scim_id)) for user in users]

    assert [(view["branches"], view["groups"]) for view in views] == [
        ("North", tuple((group.scim_id, group.name) for group in groups)),
        ("", ((groups[1].scim_id, "B"),)),
        ("", ()),
    ]
