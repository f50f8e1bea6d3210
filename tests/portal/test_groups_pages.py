"""Groups pages: list, search, create, edit, delete, a group's members and history; groups an
identity provider manages; the user's page and the provisioning log naming groups."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services
from accounts.models import AuditEvent, EventType, Group, GroupManager, Membership, Source
from tests.factories import BranchFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_group(actor, name, *, members=(), managed_by=GroupManager.PORTAL, **fields) -> Group:
    data = services.NewGroup(name=name, managed_by=managed_by, **fields)
    return services.create_group(data, actor=actor, members=[u.pk for u in members]).group


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def member_names(group: Group) -> list[str]:
    return sorted(group.members.values_list("username", flat=True))


@pytest.fixture
def scim_group(actor, alice):
    return make_group(actor, "Okta Sales", members=[alice], managed_by=GroupManager.SCIM)


# The list -------------------------------------------------------------------------------------


def test_lists_groups_by_name_with_member_counts_and_who_manages_them(admin_client, actor, alice):
    make_group(actor, "zeta", members=[alice, UserFactory()])
    make_group(actor, "Alpha")
    make_group(actor, "Okta", members=[alice], managed_by=GroupManager.SCIM)

    response = admin_client.get("/groups/")

    page = response.context["page"]
    assert [(g.name, g.member_count) for g in page] == [("Alpha", 0), ("Okta", 1), ("zeta", 2)]
    assert b"Managed by your identity provider" in response.content
    assert b"New group" in response.content


def test_counts_no_deleted_user_as_a_member(admin_client, actor, alice):
    make_group(actor, "Sales", members=[alice, UserFactory(deleted=True)])

    [group] = admin_client.get("/groups/").context["page"]

    assert group.member_count == 1


def test_searches_groups_by_name(admin_client, actor):
    make_group(actor, "Sales EMEA")
    make_group(actor, "Support")

    page = admin_client.get("/groups/?q=emea").context["page"]

    assert [g.name for g in page] == ["Sales EMEA"]


def test_list_queries_do_not_grow_with_the_number_of_groups(admin_client, actor, alice):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get("/groups/").status_code == 200
        return len(captured)

    make_group(actor, "First", members=[alice], branch=BranchFactory())
    few = queries()
    for n in range(30):
        make_group(actor, f"Group {n}", members=[alice], branch=BranchFactory())

    assert queries() == few


def test_list_pins_its_queries(admin_client, actor, alice, django_assert_max_num_queries):
    for n in range(60):
        make_group(actor, f"Group {n}", members=[alice])

    with django_assert_max_num_queries(5):
        response = admin_client.get("/groups/?page=2")

    assert len(response.context["page"]) == 10


# Create, edit, delete -------------------------------------------------------------------------


def test_creates_a_group_in_a_branch(admin_client, portal_admin):
    branch = BranchFactory(name="Tokyo")

    response = admin_client.post(
        "/groups/new/", {"name": "Sales", "description": "The sales team", "branch": branch.pk}
    )

    group = Group.objects.get(name="Sales")
    assert response.url == f"/groups/{group.pk}/"
    assert (group.description, group.branch, group.managed_by) == (
        "The sales team",
        branch,
        GroupManager.PORTAL,
    )
    assert said(response) == ["Group Sales created. Add its members here."]
    event = AuditEvent.objects.get(event_type=EventType.GROUP_CREATED)
    assert (event.target_group, event.actor_user, event.source) == (
        group,
        portal_admin,
        Source.PORTAL,
    )


def test_refuses_a_name_in_use_whatever_its_case(admin_client, actor):
    make_group(actor, "Sales")

    response = admin_client.post("/groups/new/", {"name": "SALES"})

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "A group named 'SALES' already exists. Group names are compared ignoring case."
    ]
    assert Group.objects.count() == 1


def test_asks_for_a_name(admin_client):
    response = admin_client.post("/groups/new/", {"name": "  ", "description": "x"})

    assert response.context["form"].errors["name"] == ["This field is required."]
    assert not Group.objects.exists()


def test_edits_a_group(admin_client, actor):
    group = make_group(actor, "Sales", description="Old")
    branch = BranchFactory()

    response = admin_client.post(
        f"/groups/{group.pk}/edit/",
        {"name": "Sales EMEA", "description": "New", "branch": branch.pk},
    )

    assert response.url == f"/groups/{group.pk}/"
    group.refresh_from_db()
    assert (group.name, group.description, group.branch) == ("Sales EMEA", "New", branch)
    assert said(response) == ["Group Sales EMEA saved."]
    assert group.audit_events.filter(event_type=EventType.GROUP_RENAMED).exists()


def test_renaming_to_a_name_in_use_is_an_error_on_the_form(admin_client, actor):
    make_group(actor, "Sales")
    group = make_group(actor, "Support")

    response = admin_client.post(f"/groups/{group.pk}/edit/", {"name": "sales"})

    assert response.status_code == 200
    assert "already exists" in response.context["form"].errors["name"][0]
    group.refresh_from_db()
    assert group.name == "Support"


def test_delete_asks_first_and_says_how_many_members(admin_client, actor, alice):
    group = make_group(actor, "Sales", members=[alice, UserFactory()])

    response = admin_client.get(f"/groups/{group.pk}/delete/")

    assert b"The group has 2 members." in response.content
    assert Group.objects.filter(pk=group.pk).exists()


def test_deletes_a_group_but_not_its_members(admin_client, actor, alice):
    group = make_group(actor, "Sales", members=[alice])

    response = admin_client.post(f"/groups/{group.pk}/delete/")

    assert response.url == "/groups/"
    assert said(response) == ["Group Sales deleted. Its members keep their accounts."]
    assert not Group.objects.exists() and not Membership.objects.exists()
    alice.refresh_from_db()
    assert AuditEvent.objects.filter(event_type=EventType.GROUP_DELETED).exists()


# A group's page and its members ---------------------------------------------------------------


def test_shows_the_group_its_members_and_its_history(admin_client, actor, alice):
    group = make_group(actor, "Sales", description="The sales team", members=[alice])
    services.change_group(group, actor=actor, fields={"name": "Sales EMEA"})

    response = admin_client.get(f"/groups/{group.pk}/")

    assert [m.user for m in response.context["page"]] == [alice]
    history = [item["event"].event_type for item in response.context["history"]]
    assert history == [EventType.GROUP_RENAMED, EventType.GROUP_CREATED]
    content = response.content.decode()
    assert "The sales team" in content
    assert "Name: Sales → Sales EMEA" in content
    assert "Members: 1 added: alice@example.com" in content
    assert "system:tests" in content
    assert "Add members" in content and "Remove" in content


def test_searches_and_pages_the_members(admin_client, actor, alice):
    group = make_group(actor, "Sales", members=[alice, *UserFactory.create_batch(55)])

    searched = admin_client.get(f"/groups/{group.pk}/?q=liddell").context["page"]
    second = admin_client.get(f"/groups/{group.pk}/?page=2").context["page"]

    assert [m.user for m in searched] == [alice]
    assert (len(second), second.paginator.count) == (6, 56)


def test_adds_known_members_and_reports_unknown_ones(admin_client, actor, alice):
    group = make_group(actor, "Sales")
    carol = UserFactory(username="carol", email="carol@example.com")
    UserFactory(username="gone@example.com", deleted=True)

    lines = ["ALICE@example.com", "", "  CAROL@example.com ", "nobody", "gone@example.com"]

    response = admin_client.post(
        f"/groups/{group.pk}/members/add/", {"people": "\n".join([*lines, "alice@EXAMPLE.com"])}
    )

    assert response.url == f"/groups/{group.pk}/"
    assert member_names(group) == [alice.username, carol.username]
    assert said(response) == [
        "2 members added to Sales.",
        "Not added, no user has this username or email: nobody, gone@example.com.",
    ]
    event = group.audit_events.get(event_type=EventType.GROUP_MEMBERS_CHANGED)
    assert event.changes[0]["added"] == 2


def test_says_who_was_a_member_already(admin_client, actor, alice):
    group = make_group(actor, "Sales", members=[alice])

    response = admin_client.post(
        f"/groups/{group.pk}/members/add/", {"people": f"{alice.username}\n"}
    )

    assert said(response) == ["1 of those named was a member already."]


def test_adding_nobody_is_an_error_message(admin_client, actor):
    group = make_group(actor, "Sales")

    response = admin_client.post(f"/groups/{group.pk}/members/add/", {"people": " \n "})

    assert said(response) == ["Enter at least one username or email."]


def test_removes_a_member_and_returns_to_the_same_page(admin_client, actor, alice):
    bob = UserFactory()
    group = make_group(actor, "Sales", members=[alice, bob])
    back = f"/groups/{group.pk}/?q=alice"

    response = admin_client.post(f"/groups/{group.pk}/members/{alice.pk}/remove/", {"next": back})

    assert response.url == back
    assert member_names(group) == [bob.username]
    assert said(response) == [f"{alice.username} removed from Sales."]


def test_never_returns_to_another_site(admin_client, actor, alice):
    group = make_group(actor, "Sales", members=[alice])

    response = admin_client.post(
        f"/groups/{group.pk}/members/{alice.pk}/remove/", {"next": "https://evil.example/"}
    )

    assert response.url == f"/groups/{group.pk}/"


# Groups an identity provider manages ----------------------------------------------------------


def test_an_idp_group_offers_no_control_over_name_or_members(admin_client, scim_group):
    response = admin_client.get(f"/groups/{scim_group.pk}/")

    content = response.content.decode()
    assert "Your identity provider manages this group over SCIM" in content
    assert "Add members" not in content
    assert "/members/" not in content  # no add or remove form
    assert f"/groups/{scim_group.pk}/delete/" not in content
    assert "Change branch" in content


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("members/add/", {"people": "carol"}),
        ("members/{alice}/remove/", {}),
        ("delete/", {}),
    ],
    ids=["add", "remove", "delete"],
)
def test_an_idp_group_refuses_a_post_sent_anyway(admin_client, scim_group, alice, path, data):
    UserFactory(username="carol")
    before = AuditEvent.objects.count()

    response = admin_client.post(f"/groups/{scim_group.pk}/{path.format(alice=alice.pk)}", data)

    assert response.url == f"/groups/{scim_group.pk}/"
    assert said(response) == [
        "The group 'Okta Sales' is managed by your identity provider over SCIM: change its "
        "name and members there (a local edit would be overwritten by the next push)."
    ]
    assert member_names(Group.objects.get(pk=scim_group.pk)) == [alice.username]
    assert AuditEvent.objects.count() == before


def test_an_idp_groups_branch_stays_editable(admin_client, scim_group):
    branch = BranchFactory()
    page = admin_client.get(f"/groups/{scim_group.pk}/edit/")
    assert page.context["form"].fields["name"].widget.attrs["readonly"]

    response = admin_client.post(
        f"/groups/{scim_group.pk}/edit/",
        {"name": "Okta Sales", "description": "", "branch": branch.pk},
    )

    assert response.url == f"/groups/{scim_group.pk}/"
    scim_group.refresh_from_db()
    assert (scim_group.branch, scim_group.name) == (branch, "Okta Sales")


def test_an_idp_group_refuses_a_new_name_sent_anyway(admin_client, scim_group):
    response = admin_client.post(f"/groups/{scim_group.pk}/edit/", {"name": "Renamed"})

    assert response.status_code == 200
    assert "managed by your identity provider" in response.context["form"].non_field_errors()[0]
    scim_group.refresh_from_db()
    assert scim_group.name == "Okta Sales"


# Who may, and the other pages that name groups ------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/groups/"),
        ("get", "/groups/new/"),
        ("post", "/groups/new/"),
        ("get", "/groups/{pk}/"),
        ("get", "/groups/{pk}/edit/"),
        ("post", "/groups/{pk}/delete/"),
        ("post", "/groups/{pk}/members/add/"),
        ("post", "/groups/{pk}/members/{user}/remove/"),
    ],
)
def test_only_admins_see_or_change_groups(learner_client, actor, alice, method, path):
    group = make_group(actor, "Sales", members=[alice])

    url = path.format(pk=group.pk, user=alice.pk)
    response = getattr(learner_client, method)(url, {"name": "Hacked", "people": "x"})

    assert response.status_code == 403
    assert member_names(group) == [alice.username]
    assert Group.objects.get().name == "Sales"


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/groups/")

    assert response.status_code == 302 and response.url.startswith("/login/")


def test_user_page_lists_the_users_groups(admin_client, actor, alice):
    sales = make_group(actor, "Sales", members=[alice])
    make_group(actor, "Support")

    response = admin_client.get(f"/users/{alice.pk}/edit/")

    content = response.content.decode()
    assert f'href="/groups/{sales.pk}/">Sales</a>' in content
    assert "Support" not in content


def test_provisioning_log_shows_a_groups_members_change(admin_client, actor, alice):
    bob, carol = UserFactory(username="bob"), UserFactory(username="carol")
    group = make_group(actor, "Sales", members=[carol])
    change = services.MemberChange(add=[alice.pk, bob.pk], remove=[carol.pk])
    services.change_group(group, actor=actor, members=change)
    event = group.audit_events.get(event_type=EventType.GROUP_MEMBERS_CHANGED)

    listed = admin_client.get("/provisioning/log/").content.decode()
    detail = admin_client.get(f"/provisioning/log/{event.pk}/").content.decode()

    assert "Group members changed" in listed
    assert f'Group <a href="/groups/{group.pk}/">Sales</a>' in listed
    assert "members: 2 added: alice@example.com, bob; 1 removed: carol" in listed
    assert "2 added: alice@example.com, bob; 1 removed: carol" in detail
