"""Groups pages: list, create, edit, delete, a group's page (details, members, history), and
adding and removing members by hand.

An identity provider owns the name, description and members of a group it manages over SCIM:
these pages offer no control to change them, and the use cases refuse a POST sent anyway
(``GroupManagedElsewhere``), whose reason the page then shows. Its branch stays the portal's.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import services
from accounts.exceptions import (
    AccountError,
    GroupManagedElsewhere,
    GroupNameInUse,
    InvalidData,
    InvalidField,
)
from accounts.forms import AddMembersForm, GroupForm
from accounts.models import Group, GroupManager, Membership, User
from accounts.permissions import portal_admin_required

PER_PAGE = 50
HISTORY = 20  # the group's most recent events on its page; the log has them all
NAMED_UNKNOWN = 20  # lines that named nobody, listed in the message (the rest counted)
# A group's fields as its history names them.
FIELD_LABELS = {
    "name": "Name",
    "description": "Description",
    "branch": "Branch",
    "external_id": "Identity provider's id",
    "managed_by": "Managed by",
    "members": "Members",
}


def _actor(request: HttpRequest) -> services.Actor:
    return services.Actor.for_request(request)


def _alive_members() -> Q:
    """A soft-deleted user keeps its memberships for its restore, but is not shown as a member
    (as it is no longer one to SCIM)."""
    return Q(memberships__user__deleted_at__isnull=True)


def _with_member_counts(groups: QuerySet[Group]) -> QuerySet[Group]:
    """Each group with its ``member_count``, counted by the database in the same query."""
    return groups.annotate(member_count=Count("memberships", filter=_alive_members()))


def _page(request: HttpRequest, rows: QuerySet) -> tuple[Page, str]:
    """A page of ``rows``, and the query string that keeps the search on the other pages."""
    query = request.GET.copy()
    query.pop("page", None)
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page")), query.urlencode()


@portal_admin_required
def group_list(request: HttpRequest) -> HttpResponse:
    groups = _with_member_counts(Group.objects.select_related("branch"))
    if q := request.GET.get("q", "").strip():
        groups = groups.filter(name__icontains=q)
    page, query = _page(request, groups.order_by(Lower("name"), "pk"))
    return render(request, "portal/groups/list.html", {"page": page, "query": query})


def _field_error(form: GroupForm, error: AccountError) -> None:
    """Each refusal on its field (all at once, from ``InvalidData``), else above the form."""
    if isinstance(error, InvalidData):
        for each in error.errors:
            _field_error(form, each)
    elif isinstance(error, InvalidField) and error.field in form.fields:
        form.add_error(error.field, error.message)
    elif isinstance(error, GroupNameInUse):
        form.add_error("name", f"{error} Group names are compared ignoring case.")
    else:
        form.add_error(None, str(error))


def _new_group(form: GroupForm) -> services.NewGroup:
    data = form.cleaned_data
    return services.NewGroup(
        name=data["name"], description=data["description"], branch=data["branch"]
    )


@portal_admin_required
def group_create(request: HttpRequest) -> HttpResponse:
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_group(_new_group(form), actor=_actor(request))
        except AccountError as error:
            _field_error(form, error)
        else:
            messages.success(request, f"Group {created.group.name} created. Add its members here.")
            return redirect("portal:group-detail", pk=created.group.pk)
    return render(request, "portal/groups/form.html", {"form": form, "creating": True})


@portal_admin_required
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(Group, pk=pk)
    initial = {"name": group.name, "description": group.description, "branch": group.branch}
    form = GroupForm(request.POST or None, initial=initial, managed_elsewhere=group.is_scim_managed)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_group(group, actor=_actor(request), fields=form.changes())
        except AccountError as error:
            _field_error(form, error)
        else:
            messages.success(request, f"Group {form.cleaned_data['name']} saved.")
            return redirect("portal:group-detail", pk=group.pk)
    return render(request, "portal/groups/form.html", {"form": form, "subject": group})


@portal_admin_required
def group_delete(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(_with_member_counts(Group.objects.all()), pk=pk)
    if request.method == "POST":
        try:
            services.delete_group(group, actor=_actor(request))
        except GroupManagedElsewhere as error:
            messages.error(request, str(error))
            return redirect("portal:group-detail", pk=group.pk)
        messages.success(request, f"Group {group.name} deleted. Its members keep their accounts.")
        return redirect("portal:group-list")
    return render(request, "portal/groups/confirm_delete.html", {"group": group})


def _members(request: HttpRequest, group: Group) -> QuerySet[Membership]:
    """The group's memberships of users who are not deleted, searched by username, name or
    email, by username."""
    rows = Membership.objects.filter(group=group, user__deleted_at__isnull=True)
    if q := request.GET.get("q", "").strip():
        rows = rows.filter(
            Q(user__username__icontains=q)
            | Q(user__email__icontains=q)
            | Q(user__first_name__icontains=q)
            | Q(user__last_name__icontains=q)
        )
    return rows.select_related("user").order_by("user__username", "user_id")


def _shown_change(change: dict) -> dict:
    """A change as the group's history shows it: the field by its label, who manages the
    group by name ("SCIM", not "scim")."""
    shown = {**change, "label": FIELD_LABELS.get(change["field"], change["field"])}
    if change["field"] == "managed_by":
        for key in ("before", "after"):
            if change.get(key) in GroupManager.values:
                shown[key] = GroupManager(change[key]).label
    return shown


def _history(group: Group) -> list[dict]:
    """The group's latest events, newest first, each change named for people."""
    events = group.audit_events.order_by("-created_at", "-pk")[:HISTORY]
    return [
        {
            "event": event,
            "changes": [_shown_change(change) for change in event.changes],
        }
        for event in events
    ]


@portal_admin_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(_with_member_counts(Group.objects.select_related("branch")), pk=pk)
    page, query = _page(request, _members(request, group))
    context = {
        "group": group,
        "page": page,
        "query": query,
        "add_form": AddMembersForm(),
        "history": _history(group),
    }
    return render(request, "portal/groups/detail.html", context)


def _back_to(request: HttpRequest, group: Group) -> str:
    """The group's page as it was (its search and page of members), never another site."""
    page = reverse("portal:group-detail", args=[group.pk])
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed and target.startswith(page) else page


def _count(n: int) -> str:
    return f"{n} member{'' if n == 1 else 's'}"


def _report_added(
    request: HttpRequest, group: Group, change: services.GroupChange, asked: int
) -> None:
    if change.added:
        messages.success(request, f"{_count(change.added)} added to {group.name}.")
    if already := asked - change.added:
        were = "was a member" if already == 1 else "were members"
        messages.info(request, f"{already} of those named {were} already.")


def _report_unknown(request: HttpRequest, unknown: list[str]) -> None:
    if not unknown:
        return
    named = ", ".join(unknown[:NAMED_UNKNOWN])
    more = f" and {len(unknown) - NAMED_UNKNOWN} more" if len(unknown) > NAMED_UNKNOWN else ""
    messages.warning(request, f"Not added, no user has this username or email: {named}{more}.")


@require_POST
@portal_admin_required
def group_add_members(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(Group, pk=pk)
    form = AddMembersForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("people", []):
            messages.error(request, str(error))
        return redirect(_back_to(request, group))
    users, unknown = form.users()
    if users:
        try:
            change = services.change_group(
                group,
                actor=_actor(request),
                members=services.MemberChange(add=[user.pk for user in users]),
            )
        except GroupManagedElsewhere as error:
            messages.error(request, str(error))
            return redirect(_back_to(request, group))
        _report_added(request, group, change, len(users))
    _report_unknown(request, unknown)
    return redirect(_back_to(request, group))


@require_POST
@portal_admin_required
def group_remove_member(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    group = get_object_or_404(Group, pk=pk)
    user = get_object_or_404(User, pk=user_pk)
    try:
        change = services.change_group(
            group, actor=_actor(request), members=services.MemberChange(remove=[user.pk])
        )
    except GroupManagedElsewhere as error:
        messages.error(request, str(error))
    else:
        if change.removed:
            messages.success(request, f"{user.username} removed from {group.name}.")
        else:
            messages.info(request, f"{user.username} was not a member of {group.name}.")
    return redirect(_back_to(request, group))
