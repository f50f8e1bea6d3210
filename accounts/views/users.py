"""Users pages: list, create, edit, activate/deactivate, delete, deleted users,
restore, purge."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import idp, services
from accounts.exceptions import (
    AccountError,
    CustomValueInUse,
    InvalidData,
    InvalidField,
    ValueInUse,
)
from accounts.forms import UserForm
from accounts.models import (
    Branch,
    CustomField,
    User,
    UserSource,
    UserType,
)
from accounts.permissions import may_change_user, portal_admin_required
from accounts.services import custom_fields

PER_PAGE = 50


def _actor(request: HttpRequest) -> services.Actor:
    return services.Actor.for_request(request)


def _get_user(request: HttpRequest, users: QuerySet[User], pk: int) -> User:
    """The user to act on; SuperAdmins and back-office accounts only for superusers, so that
    a portal administrator can never take over an account with more rights than their own."""
    user = get_object_or_404(users.select_related("user_type"), pk=pk)
    if not may_change_user(request.user, user):
        raise PermissionDenied("Only a superuser can change a SuperAdmin or back-office account.")
    return user


def _filtered(request: HttpRequest, users: QuerySet[User]) -> QuerySet[User]:
    params = request.GET
    if q := params.get("q", "").strip():
        users = users.filter(
            Q(username__icontains=q)
            | Q(email__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
        )
    if params.get("status") in {"active", "inactive"}:
        users = users.filter(is_active=params["status"] == "active")
    if params.get("branch", "").isdigit():
        users = users.filter(branches__id=int(params["branch"]))
    if params.get("user_type", "").isdigit():
        users = users.filter(user_type_id=int(params["user_type"]))
    if params.get("source") in UserSource.values:
        users = users.filter(source=params["source"])
    field = None
    if params.get("field") and params.get("value", "").strip():
        field = CustomField.objects.filter(key=params["field"]).first()
    if field is not None:
        value = custom_fields.filter_value(field, params["value"])
        # A value the field cannot hold ("maybe" for a yes/no field) matches nobody.
        users = (
            users.filter(**{f"custom_fields__{field.key}": value})
            if value is not None
            else users.none()
        )
    return users


def _page(request: HttpRequest, users: QuerySet[User]):
    paginator = Paginator(users.select_related("user_type").order_by("-pk"), PER_PAGE)
    return paginator.get_page(request.GET.get("page"))


@portal_admin_required
def user_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, _filtered(request, User.objects.alive()))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/users/list.html",
        {
            "page": page,
            "query": query.urlencode(),
            "branches": Branch.objects.all(),
            "user_types": UserType.objects.all(),
            "sources": UserSource.choices,
            "custom_fields": CustomField.objects.all(),
        },
    )


@portal_admin_required
def deleted_user_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, _filtered(request, User.objects.soft_deleted()))
    return render(request, "portal/users/deleted.html", {"page": page})


def _safe_next(request: HttpRequest) -> str:
    """Where to go back to (a form's ``next``, else the address's): only a path on this site
    (never an open redirect)."""
    target = request.POST.get("next") or request.GET.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    # Only a path: redirect() would try to reverse a bare word as a view name.
    return target if allowed and target.startswith("/") else ""


def _field_error(form: UserForm, error: AccountError) -> None:
    """Each refusal on its field (all of them at once, from ``InvalidData``)."""
    if isinstance(error, InvalidData):
        for each in error.errors:
            _field_error(form, each)
    elif isinstance(error, CustomValueInUse):
        form.add_error(error.field, str(error))  # names the field's label and its value
    elif isinstance(error, ValueInUse) and error.held_by_deleted_user:
        message = (
            f"This {error.label} belongs to a deleted user: restore it or delete it "
            "permanently under Deleted users."
        )
        form.add_error(error.field, message)
    elif isinstance(error, InvalidField) and error.field in form.fields:
        form.add_error(error.field, error.message)
    elif isinstance(error, ValueInUse):
        form.add_error(error.field, f"This {error.label} is already used by another user.")
    else:
        form.add_error(None, str(error))


def _new_user(form: UserForm) -> services.NewUser:
    data = form.cleaned_data
    return services.NewUser(
        username=data["username"],
        email=data["email"] or None,
        first_name=data["first_name"],
        last_name=data["last_name"],
        password=data["password"] or None,
        time_zone=data["time_zone"] or None,
        user_type=data["user_type"],
        language=data["language"] or None,
        branches=[data["branch"]] if data["branch"] else [],
        profile=form.profile(),
        custom_fields=form.custom_values(),
    )


@portal_admin_required
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserForm(
        request.POST or None, can_grant_super_admin=request.user.is_superuser, creating=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.create_user(_new_user(form), actor=_actor(request))
        except AccountError as error:
            _field_error(form, error)
        else:
            messages.success(request, f"User {user.username} created.")
            return redirect("portal:user-list")
    return render(request, "portal/users/form.html", {"form": form, "creating": True})


def _initial(user: User) -> dict:
    return {
        "username": user.username,
        "email": user.email or "",
        "first_name": user.first_name,
        "last_name": user.last_name,
        "branch": user.branches.first(),
        "user_type": user.user_type,
        "time_zone": user.time_zone,
        "language": user.language,
        **{name: getattr(user, name) for name in UserForm.PROFILE},
        **UserForm.custom_initial(user),
    }


def _changes(form: UserForm, user: User) -> dict:
    data = form.cleaned_data
    changes = {name: data[name] for name in ("username", "first_name", "last_name")}
    changes["email"] = data["email"] or None
    changes |= {k: data[k] for k in ("time_zone", "user_type", "language") if data[k]}
    changes["branches"] = [data["branch"]] if data["branch"] else []
    changes |= form.profile()
    if form.custom:
        changes["custom_fields"] = form.custom_values()
    if data["password"]:
        changes["password"] = data["password"]
    return changes


@portal_admin_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _get_user(request, User.objects.alive(), pk)
    form = UserForm(
        request.POST or None,
        initial=_initial(user),
        can_grant_super_admin=request.user.is_superuser,
        idp_fields=idp.managed_fields(user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_user(user, _changes(form, user), actor=_actor(request))
        except AccountError as error:
            _field_error(form, error)
        else:
            messages.success(request, f"User {user.username} saved.")
            return redirect("portal:user-detail", pk=user.pk)
    return render(request, "portal/users/form.html", {"form": form, "subject": user})


@require_POST
@portal_admin_required
def user_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    user = _get_user(request, User.objects.alive(), pk)
    if user == request.user and not active:
        messages.error(request, "You cannot deactivate yourself.")
        return redirect(_safe_next(request) or "portal:user-list")
    action = services.reactivate_user if active else services.deactivate_user
    action(user, actor=_actor(request))
    messages.success(request, f"User {user.username} {'activated' if active else 'deactivated'}.")
    return redirect(_safe_next(request) or "portal:user-list")


@portal_admin_required
def user_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _get_user(request, User.objects.alive(), pk)
    back = _safe_next(request)
    if user == request.user:
        messages.error(request, "You cannot delete yourself.")
        return redirect(back or "portal:user-list")
    if request.method == "POST":
        services.soft_delete_user(user, actor=_actor(request))
        messages.success(request, f"User {user.username} deleted. Find it under Deleted users.")
        return redirect(back or "portal:user-list")
    return render(request, "portal/users/confirm_delete.html", {"subject": user, "back": back})


@require_POST
@portal_admin_required
def user_restore(request: HttpRequest, pk: int) -> HttpResponse:
    user = _get_user(request, User.objects.soft_deleted(), pk)
    services.restore_user(user, actor=_actor(request))
    messages.success(request, f"User {user.username} restored.")
    return redirect(_safe_next(request) or "portal:deleted-user-list")


@portal_admin_required
def user_purge(request: HttpRequest, pk: int) -> HttpResponse:
    user = _get_user(request, User.objects.soft_deleted(), pk)
    if request.method == "POST":
        services.permanently_delete_user(user, actor=_actor(request))
        messages.success(
            request,
            f"User {user.username} permanently deleted; its username and email are free again.",
        )
        # The user's page is gone with it: back to the list, wherever the purge began.
        return redirect("portal:deleted-user-list")
    context = {"subject": user, "back": _safe_next(request)}
    return render(request, "portal/users/confirm_purge.html", context)
