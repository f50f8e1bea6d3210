"""A user's page: status and since when, where the user came from, its profile, groups and latest
changes, the identity provider's banner, the actions (back to the page), deleted users."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts import services
from accounts.models import (
    AuditEvent,
    CustomField,
    EventType,
    GroupManager,
    Source,
    User,
    UserSource,
    UserType,
)
from tests.factories import BranchFactory, UserFactory, user_type

pytestmark = pytest.mark.django_db

OKTA = services.Actor(label="scim:token 1a2b3c4d", source=Source.SCIM)


def page_of(client, user: User) -> str:
    response = client.get(f"/users/{user.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def make_user(actor: services.Actor, username: str = "carol@example.com", **fields) -> User:
    return services.create_user(services.NewUser(username=username, **fields), actor=actor)


def make_group(actor, name, *, members=(), managed_by=GroupManager.PORTAL):
    data = services.NewGroup(name=name, managed_by=managed_by)
    return services.create_group(data, actor=actor, members=[u.pk for u in members]).group


def event(user: User, event_type: str) -> AuditEvent:
    return AuditEvent.objects.filter(target_user=user, event_type=event_type).latest("pk")


def age(user: User, event_type: str, days: int) -> AuditEvent:
    """The user's latest event of that type, moved ``days`` into the past."""
    row = event(user, event_type)
    row.created_at = timezone.now() - dt.timedelta(days=days)
    row.save(update_fields=["created_at"])
    return row


def shown(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# Links to the page ---------------------------------------------------------------------------


def test_the_users_list_links_each_name_to_the_users_page(admin_client, alice):
    page = admin_client.get("/users/").content.decode()

    assert f'<a href="/users/{alice.pk}/">{alice.username}</a>' in page
    assert f'href="/users/{alice.pk}/edit/"' not in page


def test_the_deleted_users_list_links_to_a_page_that_opens(admin_client, deleted_bob):
    listed = admin_client.get("/users/deleted/").content.decode()

    assert f'<a href="/users/{deleted_bob.pk}/">{deleted_bob.username}</a>' in listed
    assert admin_client.get(f"/users/{deleted_bob.pk}/").status_code == 200


def test_a_groups_members_link_to_their_page(admin_client, actor, alice):
    group = make_group(actor, "Sales", members=[alice])

    page = admin_client.get(f"/groups/{group.pk}/").content.decode()

    assert f'<a href="/users/{alice.pk}/">{alice.username}</a>' in page


# Status and since when -----------------------------------------------------------------------


def test_a_user_never_changed_is_active_since_it_was_created(admin_client, actor):
    carol = make_user(actor)
    created = age(carol, EventType.USER_CREATED, days=3)

    response = admin_client.get(f"/users/{carol.pk}/")

    status = response.context["status"]
    assert (status.label, status.since, status.event) == ("Active", created.created_at, None)
    assert f"since {shown(created.created_at)}" in response.content.decode()


def test_an_inactive_user_is_so_since_its_deactivation_by_whom(admin_client, actor, portal_admin):
    carol = make_user(actor)
    services.deactivate_user(carol, actor=services.Actor.for_user(portal_admin))
    deactivated = age(carol, EventType.USER_DEACTIVATED, days=2)
    services.update_user(carol, {"first_name": "Caroline"}, actor=actor)  # not a status change

    response = admin_client.get(f"/users/{carol.pk}/")

    status = response.context["status"]
    assert (status.label, status.since, status.event) == (
        "Inactive",
        deactivated.created_at,
        deactivated,
    )
    page = response.content.decode()
    assert f"since {shown(deactivated.created_at)}" in page
    assert "user deactivated by user:admin@example.com" in page
    assert f'href="/provisioning/log/{deactivated.pk}/">details</a>' in page


def test_a_reactivation_sets_the_status_again(admin_client, actor):
    carol = make_user(actor)
    services.deactivate_user(carol, actor=actor)
    age(carol, EventType.USER_DEACTIVATED, days=2)
    services.reactivate_user(carol, actor=OKTA)

    status = admin_client.get(f"/users/{carol.pk}/").context["status"]

    assert (status.label, status.event) == ("Active", event(carol, EventType.USER_REACTIVATED))


def test_an_idps_put_that_changes_active_among_other_fields_sets_the_status(admin_client, actor):
    carol = make_user(actor)
    services.update_user(
        carol,
        {"is_active": False, "first_name": "Caroline"},
        actor=OKTA,
        event_type=EventType.USER_REPLACED,
    )

    status = admin_client.get(f"/users/{carol.pk}/").context["status"]

    assert (status.label, status.event) == ("Inactive", event(carol, EventType.USER_REPLACED))


def test_a_deleted_user_is_so_since_its_deletion(admin_client, actor):
    carol = make_user(actor)
    services.deactivate_user(carol, actor=actor)
    services.soft_delete_user(carol, actor=actor)
    deleted = age(carol, EventType.USER_DELETED, days=1)

    response = admin_client.get(f"/users/{carol.pk}/")

    status = response.context["status"]
    assert (status.label, status.since, status.event) == ("Deleted", deleted.created_at, deleted)
    assert '<span class="badge off">Deleted</span>' in response.content.decode()


# Where the user came from ---------------------------------------------------------------------


def test_shows_the_source_and_the_idp_client_that_created_it(admin_client):
    carol = make_user(OKTA, source=UserSource.SCIM, external_id="00ujl29u0le5T6Aj10h7")

    page = page_of(admin_client, carol)

    assert "<dt>Source</dt><dd>Created by SCIM</dd>" in page
    assert "by scim:token 1a2b3c4d (SCIM)" in page
    assert "<dt>External ID</dt><dd>00ujl29u0le5T6Aj10h7</dd>" in page


def test_shows_a_user_made_in_the_portal_and_by_whom(admin_client, portal_admin):
    carol = make_user(services.Actor.for_user(portal_admin))

    page = page_of(admin_client, carol)

    assert "<dt>Source</dt><dd>Created by hand</dd>" in page
    assert "by user:admin@example.com (Portal)" in page
    assert "<dt>External ID</dt><dd>—</dd>" in page


def test_shows_the_last_sign_in_or_never(admin_client, alice):
    assert "<dt>Last sign-in</dt><dd>Never</dd>" in page_of(admin_client, alice)

    signed_in = timezone.now() - dt.timedelta(hours=5)
    User.objects.filter(pk=alice.pk).update(last_login=signed_in)

    assert f"<dt>Last sign-in</dt><dd>{shown(signed_in)}</dd>" in page_of(admin_client, alice)


# What the user is ----------------------------------------------------------------------------


def test_shows_user_type_branches_and_groups_linked_to_their_pages(admin_client, actor, alice):
    alice.user_type = user_type(UserType.TRAINER)
    alice.save()
    alice.branches.add(BranchFactory(name="Athens"), BranchFactory(name="Berlin"))
    sales = make_group(actor, "sales", members=[alice])
    okta = make_group(actor, "Okta Admins", members=[alice], managed_by=GroupManager.SCIM)
    make_group(actor, "Support")

    page = page_of(admin_client, alice)

    assert "<dt>User type</dt><dd>Trainer-Type</dd>" in page
    assert "<dt>Branches</dt><dd>Athens, Berlin</dd>" in page
    assert (
        f'<a href="/groups/{okta.pk}/">Okta Admins</a> <span class="muted">(managed by your '
        f'identity provider)</span>, <a href="/groups/{sales.pk}/">sales</a></dd>'
    ) in page
    assert "Support" not in page


def test_a_user_in_no_branch_or_group_says_so(admin_client, alice):
    page = page_of(admin_client, alice)

    assert "<dt>Branches</dt><dd>None</dd>" in page
    assert '<dd id="groups">None</dd>' in page


def test_shows_the_profile_contact_details_and_custom_values(admin_client, actor):
    CustomField.objects.create(key="costCenter", label="Cost center", type="text")
    CustomField.objects.create(key="remote", label="Works remotely", type="yes_no")
    CustomField.objects.create(key="badge", label="Badge number", type="number")
    carol = make_user(
        actor,
        email="carol@example.com",
        first_name="Carol",
        last_name="Danvers",
        time_zone="Europe/Athens",
        language="el",
        profile={"title": "Captain", "department": "Air Force"},
        phone_numbers=[{"value": "+30 210 555 0100", "type": "work", "primary": True}],
        addresses=[{"streetAddress": "1 Main St", "locality": "Athens", "type": "home"}],
        custom_fields={"costCenter": "4130", "remote": False},
    )

    page = page_of(admin_client, carol)

    for row in [
        "<dt>Name</dt><dd>Carol Danvers</dd>",
        "<dt>Email</dt><dd>carol@example.com</dd>",
        "<dt>Time zone</dt><dd>Europe/Athens</dd>",
        "<dt>Language</dt><dd>Ελληνικά</dd>",
        "<dt>Job title</dt><dd>Captain</dd>",
        "<dt>Department</dt><dd>Air Force</dd>",
        "<dt>Phone (work), primary</dt>\n  <dd>+30 210 555 0100</dd>",
        "<dt>Address (home)</dt>",
        "1 Main St<br> Athens",
        "Cost center</dt><dd>4130</dd>",
        "Works remotely</dt><dd>No</dd>",
        "Badge number</dt><dd>—</dd>",
    ]:
        assert row in page, row
    assert "<dt>Nickname</dt>" not in page  # not set: not listed


# Latest changes ------------------------------------------------------------------------------


def test_lists_the_latest_changes_newest_first_with_the_fields_changed(admin_client, actor):
    carol = make_user(actor)
    for n in range(7):
        services.update_user(carol, {"first_name": f"Carol {n}", "title": f"T{n}"}, actor=OKTA)
    services.deactivate_user(carol, actor=actor)

    response = admin_client.get(f"/users/{carol.pk}/")

    changes = response.context["changes"]
    assert [item["event"].event_type for item in changes] == [
        EventType.USER_DEACTIVATED,
        *[EventType.USER_UPDATED] * 4,
    ]
    assert changes[0]["fields"] == ["Status"]
    assert changes[1]["fields"] == ["First name", "Job title"]
    page = response.content.decode()
    assert "First name, Job title" in page
    assert f'href="/provisioning/log/{changes[1]["event"].pk}/"' in page
    assert 'aria-label="Change history"' in page


def test_links_to_the_provisioning_log_filtered_to_the_user(admin_client, actor):
    carol = make_user(actor, "carol+sales@example.com")
    make_user(actor, "dave@example.com")

    page = page_of(admin_client, carol)

    link = "/provisioning/log/?user=carol%2Bsales%40example.com"
    assert f'href="{link}">provisioning log</a>' in page
    listed = admin_client.get(link).context["page"]
    assert [row.target_label for row in listed] == ["carol+sales@example.com"]


# The identity provider's banner --------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [{"source": UserSource.SCIM}, {"external_id": "00ujl29u0le5T6Aj10h7"}],
    ids=["created-by-scim", "linked-by-external-id"],
)
def test_a_scim_managed_user_carries_the_banner_on_its_page_and_edit_page(admin_client, fields):
    carol = UserFactory(**fields)
    banner = (
        '<p class="note" id="idp-managed">This user is provisioned by your identity provider '
        "over SCIM: its next update of this user overwrites a change made here"
    )

    assert banner in page_of(admin_client, carol)
    assert banner in admin_client.get(f"/users/{carol.pk}/edit/").content.decode()


def test_a_user_of_the_portal_carries_no_banner(admin_client, alice):
    assert 'id="idp-managed"' not in page_of(admin_client, alice)


# Actions -------------------------------------------------------------------------------------


def test_offers_edit_deactivate_and_delete_that_come_back_here(admin_client, alice):
    page = page_of(admin_client, alice)
    here = f"/users/{alice.pk}/"

    assert f'<a class="button" href="/users/{alice.pk}/edit/">Edit</a>' in page
    assert f'action="/users/{alice.pk}/deactivate/"' in page
    assert f'<input type="hidden" name="next" value="{here}">' in page
    assert f'href="/users/{alice.pk}/delete/?next={here}">Delete</a>' in page


def test_deactivating_and_activating_come_back_to_the_page(admin_client, alice):
    here = f"/users/{alice.pk}/"

    response = admin_client.post(f"/users/{alice.pk}/deactivate/", {"next": here})

    assert response["Location"] == here
    page = admin_client.get(here).content.decode()
    assert '<span class="badge off">Inactive</span>' in page
    assert f'action="/users/{alice.pk}/activate/"' in page
    assert admin_client.post(f"/users/{alice.pk}/activate/", {"next": here})["Location"] == here
    alice.refresh_from_db()
    assert alice.is_active


def test_deleting_from_the_page_asks_then_comes_back_to_it_deleted(admin_client, alice):
    here = f"/users/{alice.pk}/"

    confirm = admin_client.get(f"/users/{alice.pk}/delete/?next={here}").content.decode()
    assert f'<input type="hidden" name="next" value="{here}">' in confirm
    assert f'<a href="{here}">Cancel</a>' in confirm

    response = admin_client.post(f"/users/{alice.pk}/delete/", {"next": here})

    assert response["Location"] == here
    page = page_of(admin_client, alice)
    assert 'id="deleted-note"' in page
    assert f'action="/users/{alice.pk}/restore/"' in page
    assert f'href="/users/{alice.pk}/purge/?next={here}">Delete permanently</a>' in page
    assert f"/users/{alice.pk}/edit/" not in page


def test_a_deleted_user_is_restored_from_its_page_and_comes_back_to_it(admin_client, deleted_bob):
    here = f"/users/{deleted_bob.pk}/"

    response = admin_client.post(f"/users/{deleted_bob.pk}/restore/", {"next": here})

    assert response["Location"] == here
    deleted_bob.refresh_from_db()
    assert not deleted_bob.is_deleted
    assert 'id="deleted-note"' not in page_of(admin_client, deleted_bob)


def test_purging_from_the_page_can_be_cancelled_back_to_it_else_ends_on_the_list(
    admin_client, deleted_bob
):
    here = f"/users/{deleted_bob.pk}/"

    confirm = admin_client.get(f"/users/{deleted_bob.pk}/purge/?next={here}").content.decode()
    assert f'<a href="{here}">Cancel</a>' in confirm

    response = admin_client.post(f"/users/{deleted_bob.pk}/purge/", {"next": here})

    assert response["Location"] == "/users/deleted/"
    assert admin_client.get(here).status_code == 404


def test_a_deleted_scim_user_shows_no_idp_banner(admin_client):
    carol = UserFactory(source=UserSource.SCIM, deleted=True)

    page = page_of(admin_client, carol)

    assert 'id="deleted-note"' in page
    assert 'id="idp-managed"' not in page


def test_saving_the_edit_page_comes_back_to_the_users_page(admin_client, alice):
    edit = admin_client.get(f"/users/{alice.pk}/edit/").content.decode()
    assert f'<a href="/users/{alice.pk}/">Cancel</a>' in edit

    response = admin_client.post(
        f"/users/{alice.pk}/edit/", {"username": alice.username, "first_name": "Alicia"}
    )

    assert response["Location"] == f"/users/{alice.pk}/"


def test_ones_own_page_offers_no_deactivate_or_delete(admin_client, portal_admin):
    page = page_of(admin_client, portal_admin)

    assert f"/users/{portal_admin.pk}/edit/" in page
    assert f"/users/{portal_admin.pk}/deactivate/" not in page
    assert f"/users/{portal_admin.pk}/delete/" not in page


def test_an_admin_sees_a_superadmins_page_without_actions(admin_client, admin_user):
    page = page_of(admin_client, admin_user)

    assert "Only a superuser can change a SuperAdmin or back-office account." in page
    assert f"/users/{admin_user.pk}/edit/" not in page
    assert f"/users/{admin_user.pk}/deactivate/" not in page


def test_a_superuser_may_act_on_a_back_office_account(client, admin_user):
    staff = UserFactory(is_staff=True)
    client.force_login(admin_user)

    page = page_of(client, staff)

    assert f"/users/{staff.pk}/edit/" in page
    assert f"/users/{staff.pk}/deactivate/" in page


# Who may see it, and what it costs -----------------------------------------------------------


def test_asks_anonymous_visitors_to_sign_in(client, alice):
    response = client.get(f"/users/{alice.pk}/")

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/users/{alice.pk}/"


def test_refuses_users_without_the_administrator_role(learner_client, alice):
    response = learner_client.get(f"/users/{alice.pk}/")

    assert response.status_code == 403
    assert b"does not have the administrator role" in response.content


def test_an_unknown_user_is_not_found(admin_client, alice):
    assert admin_client.get(f"/users/{alice.pk}/").status_code == 200
    assert admin_client.get(f"/users/{alice.pk + 1000}/").status_code == 404


def busy_user(actor: services.Actor, *, groups: int, writes: int) -> User:
    """A user in ``groups`` groups and as many branches, with ``writes`` changes recorded."""
    for n in range(3):
        CustomField.objects.get_or_create(key=f"field{n}", label=f"Field {n}", type="text")
    carol = make_user(actor, phone_numbers=[{"value": "+30 210 555 0100"}])
    carol.branches.add(*(BranchFactory() for _ in range(groups)))
    for n in range(groups):
        make_group(actor, f"Group {n}", members=[carol])
    for n in range(writes):
        services.update_user(carol, {"first_name": f"Carol {n}"}, actor=OKTA)
    return carol


@pytest.mark.parametrize(("groups", "writes"), [(1, 0), (25, 40)], ids=["quiet", "busy"])
def test_runs_a_fixed_number_of_queries(admin_client, django_assert_num_queries, groups, writes):
    carol = busy_user(OKTA, groups=groups, writes=writes)

    # The session, the admin and its user type; the user, its branches, its groups; its
    # creation, status and latest events; the custom fields.
    with django_assert_num_queries(10):
        response = admin_client.get(f"/users/{carol.pk}/")

    assert len(response.context["subject"].member_of.all()) == groups
