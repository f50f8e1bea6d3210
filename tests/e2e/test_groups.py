"""Groups: create one, add two members by hand, remove one, see the count on the Groups page;
every groups page passes axe-core's checks."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accounts import services
from accounts.models import Group, GroupManager
from tests.e2e.conftest import open_from_menu, screenshot
from tests.e2e.test_accessibility import assert_accessible
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_admin_builds_a_group_by_hand(signed_in: Page):
    page = signed_in
    UserFactory(username="ada@example.com", first_name="Ada", last_name="Lovelace")
    UserFactory(username="alan@example.com", first_name="Alan", last_name="Turing")

    open_from_menu(page, "Groups")
    page.get_by_role("link", name="New group").click()
    page.get_by_label("Name").fill("Analysts")
    page.get_by_label("Description").fill("Reads the numbers")
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_role("status")).to_contain_text("Group Analysts created.")
    expect(page.get_by_role("heading", name="Analysts")).to_be_visible()

    page.get_by_label("Usernames or emails").fill("ada@example.com\nALAN@example.com\nnobody")
    page.get_by_role("button", name="Add members").click()
    expect(page.get_by_role("status")).to_contain_text("2 members added to Analysts.")
    expect(page.get_by_role("status")).to_contain_text("no user has this username or email: nobody")
    members = page.get_by_role("region", name="Members")
    expect(members.get_by_role("link", name="ada@example.com")).to_be_visible()
    expect(members.get_by_role("link", name="alan@example.com")).to_be_visible()
    screenshot(page, "group")

    page.get_by_role("button", name="Remove alan@example.com").click()
    expect(page.get_by_role("status")).to_contain_text("alan@example.com removed from Analysts.")
    expect(members.get_by_role("link", name="alan@example.com")).to_have_count(0)
    history = page.get_by_role("region", name="Recent history")
    expect(history).to_contain_text("1 removed: alan@example.com")
    assert_accessible(page, page.url.removeprefix(page.url.split("/groups/")[0]))

    open_from_menu(page, "Groups")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Analysts"))
    expect(row.get_by_role("cell").nth(1)).to_have_text("1")
    expect(row).to_contain_text("Portal")
    screenshot(page, "groups")
    assert_accessible(page, "/groups/")
    assert list(Group.objects.get(name="Analysts").members.values_list("username", flat=True)) == [
        "ada@example.com"
    ]


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_the_groups_pages_are_accessible(signed_in: Page, width: int):
    page = signed_in
    page.set_viewport_size({"width": width, "height": 900})
    actor = services.Actor.system("e2e")
    member = UserFactory()
    own = services.create_group(
        services.NewGroup(name="Portal group", description="Ours"), actor=actor, members=[member.pk]
    ).group
    idp = services.create_group(
        services.NewGroup(name="IdP group", managed_by=GroupManager.SCIM),
        actor=actor,
        members=[member.pk],
    ).group

    for path in [
        "/groups/",
        "/groups/new/",
        f"/groups/{own.pk}/",
        f"/groups/{own.pk}/edit/",
        f"/groups/{own.pk}/delete/",
        f"/groups/{idp.pk}/",
        f"/groups/{idp.pk}/edit/",
        f"/users/{member.pk}/edit/",
    ]:
        assert_accessible(page, path)
