"""Who may use the portal's admin pages: users whose user type has the administrator role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Role


def is_portal_admin(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.user_type.role == Role.ADMINISTRATOR


def may_change_user(acting_user, user) -> bool:
    """SuperAdmins and back-office accounts are changed by superusers only, so that a portal
    administrator can never take over an account with more rights than their own."""
    privileged = user.is_staff or user.is_superuser or user.user_type.is_protected
    return not privileged or acting_user.is_superuser


def portal_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sign-in first; then a clear refusal (403) for users without the administrator role."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_portal_admin(request.user):
            return render(request, "portal/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return guarded
