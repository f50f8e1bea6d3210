from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "LMS portal back office"
admin.site.site_title = "LMS back office"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/scim2/", include("provisioning.api.urls")),
    path("sso/saml/", include("provisioning.sso_urls")),
    path("", include("lms.portal_urls")),
]
