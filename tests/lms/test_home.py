"""The portal's home (/): the overview for administrators, their own profile for other users."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from accounts.models import (
    AuditEvent,
    EventType,
    Group,
    GroupManager,
    Membership,
    Outcome,
    Source,
    User,
    UserSource,
    UserType,
)
from provisioning.models import ScimSettings, SsoSettings
from tests.factories import BranchFactory, UserFactory, user_type

pytestmark = pytest.mark.django_db

# Session, signed-in user, its user type (is_portal_admin); users and groups figures; latest
# events, refusals; SCIM and SSO settings.
ADMIN_QUERIES = 9
# Session, signed-in user, its user type; branches, groups.
LEARNER_QUERIES = 5


@pytest.fixture
def admin_client(client, portal_admin):
    client.force_login(portal_admin)
    return client


@pytest.fixture
def learner(db):
    return UserFactory(
        username="lena@example.com",
        email="lena.mail@example.com",
        first_name="Lena",
        last_name="Park",
        time_zone="Asia/Seoul",
        language="ko",
    )


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


def event(hours_ago: float = 0, **fields) -> AuditEvent:
    """An audit event written ``hours_ago`` (created_at is set on insert, so moved after)."""
    fields = {"event_type": EventType.USER_CREATED, "actor_label": "user:admin"} | fields
    created = AuditEvent.objects.create(**fields)
    created_at = timezone.now() - dt.timedelta(hours=hours_ago)
    AuditEvent.objects.filter(pk=created.pk).update(created_at=created_at)
    return created


def known_users() -> None:
    """With the signed-in admin (active, by hand): 5 active, 1 inactive, 2 deleted; among the
    users not deleted, 3 by hand, 2 by SCIM, 1 at SSO sign-in."""
    UserFactory.create_batch(2)
    UserFactory(source=UserSource.SCIM)
    UserFactory(source=UserSource.SCIM, inactive=True)
    UserFactory(source=UserSource.SSO)
    UserFactory(deleted=True)
    UserFactory(deleted=True, source=UserSource.SCIM)


def test_counts_users_by_status_and_by_source(admin_client):
    known_users()

    response = admin_client.get("/")

    assert response.status_code == 200
    assert response.context["users"] == {
        "active": 5,
        "inactive": 1,
        "deleted": 2,
        "manual": 3,
        "scim": 2,
        "sso": 1,
    }
    by_source = [(f.label, f.users) for f in response.context["users_by_source"]]
    assert by_source == [
        ("Created by hand", 3),
        ("Created by SCIM", 2),
        ("Created at SSO sign-in", 1),
    ]


def test_user_figures_link_to_the_users_pages(admin_client):
    page = admin_client.get("/").content.decode()

    assert '<a href="/users/?status=active">Active</a></dt><dd>1</dd>' in page
    assert '<a href="/users/?status=inactive">Inactive</a></dt><dd>0</dd>' in page
    assert '<a href="/users/deleted/">Deleted</a></dt><dd>0</dd>' in page
    assert '<a href="/users/?source=scim">Created by SCIM</a></dt><dd>0</dd>' in page
    assert 'href="/users/">Manage users</a>' in page


def test_counts_groups_and_those_the_identity_provider_manages(admin_client):
    Group.objects.create(name="Sales")
    Group.objects.create(name="Okta: Engineering", managed_by=GroupManager.SCIM)
    Group.objects.create(name="Okta: Support", managed_by=GroupManager.SCIM)

    response = admin_client.get("/")

    assert response.context["groups"] == {"total": 3, "by_scim": 2}
    assert "3 groups, 2 managed by your identity provider (SCIM)." in response.content.decode()
    assert 'href="/groups/">Manage groups</a>' in response.content.decode()


def test_lists_the_latest_events_newest_first_with_links_to_their_pages(admin_client):
    old = [event(hours_ago=10 - n, target_label=f"old{n}@example.com") for n in range(3)]
    rotated = event(
        hours_ago=1, event_type="scim.token_rotated", source=Source.PORTAL, target_label=""
    )
    newest = [event(hours_ago=0.5 - n / 10, target_label=f"new{n}@example.com") for n in range(4)]

    response = admin_client.get("/")

    latest = response.context["latest_events"]
    assert [e.pk for e in latest] == [e.pk for e in [*reversed(newest), rotated]]
    page = response.content.decode()
    assert f'<a href="/provisioning/log/{rotated.pk}/">SCIM token rotated</a>' in page
    assert f'<a href="/provisioning/log/{newest[0].pk}/">User created: new0@example.com</a>' in page
    assert all(f"/provisioning/log/{e.pk}/" not in page for e in old)
    assert 'href="/provisioning/log/">Open the provisioning log</a>' in page


def test_counts_refusals_of_the_last_24_hours_only(admin_client):
    event(hours_ago=1, outcome=Outcome.REFUSED, source=Source.SCIM)
    event(hours_ago=23.9, outcome=Outcome.REFUSED, source=Source.SSO)
    event(hours_ago=24.1, outcome=Outcome.REFUSED, source=Source.SCIM)
    event(hours_ago=72, outcome=Outcome.REFUSED, source=Source.SCIM)
    event(hours_ago=1, outcome=Outcome.SUCCESS, source=Source.SCIM)

    response = admin_client.get("/")

    assert response.context["refused_recently"] == 2
    page = response.content.decode()
    assert '<span class="badge refused">2 refused</span>' in page
    assert '<a href="/provisioning/log/?outcome=refused">See refused changes</a>' in page


def test_refusals_link_leads_to_the_log_filtered_to_them(admin_client):
    event(outcome=Outcome.REFUSED)
    event(outcome=Outcome.SUCCESS)

    log = admin_client.get("/provisioning/log/?outcome=refused").context["page"]

    assert [e.outcome for e in log] == [Outcome.REFUSED]


def test_says_when_nothing_was_refused_and_nothing_happened(admin_client):
    page = admin_client.get("/").content.decode()

    assert '<span class="badge ok">None refused</span>' in page
    assert "No changes yet." in page


def test_shows_scim_off_without_writing_its_settings(admin_client):
    page = admin_client.get("/").content.decode()

    assert '<span class="badge off">Disabled</span>' in page
    assert "No API token yet." in page
    assert 'href="/settings/scim/">Manage SCIM provisioning</a>' in page
    assert not ScimSettings.objects.exists()
    assert not SsoSettings.objects.exists()


def test_shows_scim_on_with_its_token_prefix_and_last_use(admin_client, scim_token):
    last_used = dt.datetime(2025, 3, 4, 5, 6, tzinfo=dt.UTC)
    ScimSettings.objects.update(last_used_at=last_used)
    prefix = ScimSettings.load().token_prefix

    page = admin_client.get("/").content.decode()

    assert prefix in scim_token
    assert '<span class="badge ok">Enabled</span>' in page
    assert f"API token <code>{prefix}…</code>, last used 2025-03-04 05:06." in page
    assert scim_token not in page


def test_shows_sso_not_configured(admin_client):
    page = admin_client.get("/").content.decode()

    assert '<span class="badge">Not configured</span>' in page
    assert "Last check: never run." in page
    assert 'href="/settings/sso/">Manage single sign-on</a>' in page


@pytest.mark.parametrize(
    ("enabled", "passed", "shown"),
    [
        (True, True, '<span class="badge ok">Passed</span> on 2025-03-04 05:06.'),
        (False, False, '<span class="badge off">Failed</span> on 2025-03-04 05:06.'),
    ],
)
def test_shows_sso_state_and_its_last_check(admin_client, enabled, passed, shown):
    SsoSettings.objects.create(
        pk=1,
        enabled=enabled,
        idp_entity_id="http://www.okta.com/exk1",
        idp_sso_url="https://example.okta.com/app/sso/saml",
        idp_cert_fingerprint="AB" * 32,
        checked_at=dt.datetime(2025, 3, 4, 5, 6, tzinfo=dt.UTC),
        check_passed=passed,
    )

    page = admin_client.get("/").content.decode()

    offered = "Offered on the sign-in page" if enabled else "Configured, not offered"
    assert offered in page
    assert shown in page


def test_admin_overview_takes_a_fixed_number_of_queries(
    admin_client, django_assert_num_queries, scim_token
):
    SsoSettings.load()
    known_users()
    event(outcome=Outcome.REFUSED)
    with django_assert_num_queries(ADMIN_QUERIES):
        admin_client.get("/")

    UserFactory.create_batch(20, source=UserSource.SCIM)
    UserFactory.create_batch(5, deleted=True)
    for n in range(20):
        event(hours_ago=n, outcome=Outcome.REFUSED if n % 2 else Outcome.SUCCESS)
        Group.objects.create(name=f"Group {n}")
    with django_assert_num_queries(ADMIN_QUERIES):
        response = admin_client.get("/")
    assert len(response.context["latest_events"]) == 5


def test_is_never_cached(admin_client):
    assert "no-store" in admin_client.get("/")["Cache-Control"]


@pytest.mark.parametrize("type_name", [UserType.LEARNER, UserType.TRAINER])
def test_users_without_the_administrator_role_see_their_own_profile(client, learner, type_name):
    User.objects.filter(pk=learner.pk).update(user_type=user_type(type_name))
    learner.branches.set([BranchFactory(name="Seoul"), BranchFactory(name="Busan")])
    for name in ("Onboarding", "Korean speakers"):
        Membership.objects.create(group=Group.objects.create(name=name), user=learner)
    client.force_login(learner)

    response = client.get("/")

    assert response.status_code == 200
    assert response.templates[0].name == "portal/profile.html"
    page = response.content.decode()
    for shown in (
        "<h1>My profile</h1>",
        "Lena Park",
        "<dd>lena@example.com</dd>",
        "<dd>lena.mail@example.com</dd>",
        f"<dd>{type_name}</dd>",
        "<dd>Busan, Seoul</dd>",
        "<dd>Korean speakers, Onboarding</dd>",
        "<dd>Asia/Seoul</dd>",
        "<dd>ko</dd>",
    ):
        assert shown in page, shown


def test_learner_sees_nothing_of_other_users_or_the_overview(learner_client, learner):
    sales = Group.objects.create(name="Sales")
    hidden = Group.objects.create(name="Board of directors")
    other = UserFactory(username="otto@example.com", email="otto.mail@example.com")
    Membership.objects.create(group=sales, user=learner)
    Membership.objects.create(group=sales, user=other)
    Membership.objects.create(group=hidden, user=other)
    event(outcome=Outcome.REFUSED, target_label="otto@example.com")

    response = learner_client.get("/")

    page = response.content.decode()
    assert "<dd>Sales</dd>" in page
    for hidden_text in (
        "otto@",
        "otto.mail@",
        "Board of directors",
        "Overview",
        "Provisioning log",
    ):
        assert hidden_text not in page, hidden_text
    assert "users" not in response.context
    assert response.context["profile"] == learner


def test_learner_profile_says_what_is_not_set(client):
    learner = UserFactory(email=None, language="")
    client.force_login(learner)

    page = client.get("/").content.decode()

    assert "<dt>Email</dt><dd>Not set</dd>" in page
    assert "<dt>Language</dt><dd>Not set</dd>" in page
    assert "<dt>Branches</dt><dd>None</dd>" in page
    assert "<dt>Groups</dt><dd>None</dd>" in page


def test_learner_profile_takes_a_fixed_number_of_queries(
    learner_client, learner, django_assert_num_queries
):
    with django_assert_num_queries(LEARNER_QUERIES):
        learner_client.get("/")

    learner.branches.set(BranchFactory.create_batch(5))
    for n in range(5):
        Membership.objects.create(group=Group.objects.create(name=f"Group {n}"), user=learner)
    with django_assert_num_queries(LEARNER_QUERIES):
        learner_client.get("/")


def test_learners_menu_leads_to_their_profile(learner_client):
    page = learner_client.get("/users/").content.decode()

    assert re.search(r'<a href="/"\s*>My profile</a>', page)


def test_admins_menu_leads_to_the_overview(admin_client):
    page = admin_client.get("/").content.decode()

    assert '<a href="/" aria-current="page">Overview</a>' in page


def test_asks_anonymous_visitors_to_sign_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"
