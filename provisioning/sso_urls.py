"""Stable SAML URLs (namespace ``sso``), under /sso/saml/: the IdP admin copies them once."""

from django.urls import path

from provisioning import sso_views

app_name = "sso"

urlpatterns = [
    path("login/", sso_views.login, name="login"),
    path("acs/", sso_views.acs, name="acs"),
    path("metadata/", sso_views.metadata, name="metadata"),
]
