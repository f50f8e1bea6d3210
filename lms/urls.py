from django.contrib import admin
from django.urls import include, path

from lms.views import favicon, healthz
from provisioning.oauth_server import token_endpoint

handler400 = "lms.views.bad_request"
handler500 = "lms.views.server_error"

admin.site.site_header = "LMS portal back office"
admin.site.site_title = "LMS back office"

urlpatterns = [
    path("api/scim2/", include("provisioning.api.urls")),  # first: most requests are for it
    # OAuth 2.0 client credentials for the SCIM API (RFC 6749 §4.4).
    path("oauth/token", token_endpoint, name="oauth-token"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("sso/saml/", include("provisioning.sso_urls")),
    path("", include("lms.portal_urls")),
]
