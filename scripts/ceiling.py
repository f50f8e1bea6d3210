"""The framework's ceiling for `make bench`: one Django view returning a fixed small JSON.

Same settings and middleware as the portal, no database, so the gap between it and the real
SCIM endpoints is what our own code costs.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, JsonResponse
from django.urls import path

USER = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": "2819c223-7f76-453a-919d-413861904646",
    "userName": "bjensen@example.com",
    "active": True,
}


def fixed(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse(USER, content_type="application/scim+json")


urlpatterns = [path("api/scim2/<path:rest>", fixed)]
settings.ROOT_URLCONF = __name__
application = get_wsgi_application()
