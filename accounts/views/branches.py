"""Branches pages: list, create, edit (with the branch's own defaults)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts import services
from accounts.exceptions import InvalidField
from accounts.forms import BranchForm
from accounts.models import Branch
from accounts.permissions import portal_admin_required


@portal_admin_required
def branch_list(request: HttpRequest) -> HttpResponse:
    branches = Branch.objects.select_related("default_user_type").annotate(
        user_count=Count("users")
    )
    return render(request, "portal/branches/list.html", {"branches": branches})


def _save(request: HttpRequest, form: BranchForm, branch: Branch | None) -> Branch | None:
    data = services.BranchData(**form.cleaned_data)
    actor = services.Actor.for_request(request)
    try:
        if branch is None:
            return services.create_branch(data, actor=actor)
        return services.update_branch(branch, data, actor=actor)
    except InvalidField as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None


@portal_admin_required
def branch_create(request: HttpRequest) -> HttpResponse:
    form = BranchForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (branch := _save(request, form, None)):
        messages.success(request, f"Branch {branch.name} created.")
        return redirect("portal:branch-list")
    return render(request, "portal/branches/form.html", {"form": form, "creating": True})


@portal_admin_required
def branch_edit(request: HttpRequest, pk: int) -> HttpResponse:
    branch = get_object_or_404(Branch, pk=pk)
    initial = {
        "name": branch.name,
        "slug": branch.slug,
        "default_time_zone": branch.default_time_zone,
        "default_user_type": branch.default_user_type,
        "is_active": branch.is_active,
    }
    form = BranchForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _save(request, form, branch):
        messages.success(request, f"Branch {branch.name} saved.")
        return redirect("portal:branch-list")
    return render(request, "portal/branches/form.html", {"form": form, "subject": branch})
