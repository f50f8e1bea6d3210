from django.contrib import admin
from django.urls import include, path

from lms.views import favicon, healthz

handler400 = "lms.views.bad_request"
handler500 = "lms.views.server_error"

admin.site.site_header = "LMS portal back office"
admin.site.site_title = "LMS back office"

urlpatterns = [
    path("api/scim2/", include("provisioning.api.urls")),  # first: most requests are for it
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("sso/saml/", include("provisioning.sso_urls")),
    path("", include("lms.portal_urls")),
]
