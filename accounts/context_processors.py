"""Template context for every page."""

from django.http import HttpRequest

from accounts.permissions import is_portal_admin


def portal(request: HttpRequest) -> dict:
    """Whether to show the admin navigation (users without the role get none of its links)."""
    return {"is_portal_admin": is_portal_admin(request.user)}
