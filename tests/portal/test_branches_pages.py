"""Branches pages: list, create, edit with defaults."""

from __future__ import annotations

import pytest

from accounts.models import Branch, UserType
from tests.factories import BranchFactory, user_type

pytestmark = pytest.mark.django_db


def test_creates_a_branch_with_defaults(admin_client):
    response = admin_client.post(
        "/branches/new/",
        {
            "name": "Athens",
            "slug": "athens",
            "default_time_zone": "Europe/Athens",
            "default_user_type": user_type(UserType.TRAINER).pk,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    branch = Branch.objects.get(slug="athens")
    assert (branch.default_time_zone, branch.default_user_type.name) == (
        "Europe/Athens",
        UserType.TRAINER,
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "ATHENS", "slug": "athens-2"}, "name", "already exists"),
        ({"name": "Sparta", "slug": "athens"}, "slug", "taken by another branch"),
        (
            {"name": "Sparta", "slug": "sparta", "default_time_zone": "Atlantis/City"},
            "default_time_zone",
            "not an IANA time zone",
        ),
    ],
)
def test_refuses_duplicates_and_bad_time_zones_with_field_errors(
    admin_client, data, field, message
):
    BranchFactory(name="Athens", slug="athens")

    response = admin_client.post("/branches/new/", data)

    assert message in response.context["form"].errors[field][0]
    assert Branch.objects.count() == 1


def test_edits_a_branch(admin_client):
    branch = BranchFactory(name="Paris", slug="paris")

    admin_client.post(
        f"/branches/{branch.pk}/edit/",
        {
            "name": "Paris",
            "slug": "paris",
            "default_time_zone": "Europe/Paris",
        },
    )

    branch.refresh_from_db()
    assert branch.default_time_zone == "Europe/Paris"
    assert not branch.is_active


def test_lists_branches_with_user_counts(admin_client):
    BranchFactory(name="Lyon")

    response = admin_client.get("/branches/")

    assert b"Lyon" in response.content


def test_a_branch_without_an_address_gets_one_from_its_name(admin_client):
    response = admin_client.post("/branches/new/", {"name": "North Europe", "is_active": "on"})

    assert response.status_code == 302
    assert Branch.objects.get(name="North Europe").slug == "north-europe"
