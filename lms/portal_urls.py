"""The portal's admin pages (namespace ``portal``)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.views import branches, custom_fields, groups, settings, user_page, users
from lms import home
from provisioning import log_views, oauth_views, sso_views
from provisioning import views as provisioning

app_name = "portal"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", sso_views.PortalLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("users/", users.user_list, name="user-list"),
    path("users/new/", users.user_create, name="user-create"),
    path("users/deleted/", users.deleted_user_list, name="deleted-user-list"),
    path("users/<int:pk>/", user_page.user_detail, name="user-detail"),
    path("users/<int:pk>/edit/", users.user_edit, name="user-edit"),
    path("users/<int:pk>/activate/", users.user_set_active, {"active": True}, name="user-activate"),
    path(
        "users/<int:pk>/deactivate/",
        users.user_set_active,
        {"active": False},
        name="user-deactivate",
    ),
    path("users/<int:pk>/delete/", users.user_delete, name="user-delete"),
    path("users/<int:pk>/restore/", users.user_restore, name="user-restore"),
    path("users/<int:pk>/purge/", users.user_purge, name="user-purge"),
    path("groups/", groups.group_list, name="group-list"),
    path("groups/new/", groups.group_create, name="group-create"),
    path("groups/<int:pk>/", groups.group_detail, name="group-detail"),
    path("groups/<int:pk>/edit/", groups.group_edit, name="group-edit"),
    path("groups/<int:pk>/delete/", groups.group_delete, name="group-delete"),
    path("groups/<int:pk>/members/add/", groups.group_add_members, name="group-add-members"),
    path(
        "groups/<int:pk>/members/<int:user_pk>/remove/",
        groups.group_remove_member,
        name="group-remove-member",
    ),
    path("branches/", branches.branch_list, name="branch-list"),
    path("branches/new/", branches.branch_create, name="branch-create"),
    path("branches/<int:pk>/edit/", branches.branch_edit, name="branch-edit"),
    # Account & Settings: a section per page.
    path("settings/", settings.basic_settings, name="settings"),
    path("settings/users/", settings.user_settings, name="settings-users"),
    path("settings/sso/", sso_views.sso_settings, name="settings-sso"),
    path("settings/scim/", provisioning.scim_settings, name="settings-scim"),
    path("settings/locale/", settings.save_defaults, {"which": "locale"}, name="settings-locale"),
    path(
        "settings/user-defaults/",
        settings.save_defaults,
        {"which": "defaults"},
        name="settings-defaults",
    ),
    path("settings/custom-fields/new/", custom_fields.field_create, name="custom-field-create"),
    path(
        "settings/custom-fields/<int:pk>/edit/",
        custom_fields.field_edit,
        name="custom-field-edit",
    ),
    path(
        "settings/custom-fields/<int:pk>/delete/",
        custom_fields.field_delete,
        name="custom-field-delete",
    ),
    path("settings/scim/token/", provisioning.rotate_token, name="settings-scim-token"),
    path(
        "settings/scim/custom-fields/",
        provisioning.set_custom_fields_provisioning,
        name="settings-scim-custom-fields",
    ),
    path("provisioning/log/", log_views.event_list, name="event-list"),
    path("provisioning/log/export.csv", log_views.event_export, name="event-export"),
    path("provisioning/log/<int:pk>/", log_views.event_detail, name="event-detail"),
]

# Account & Settings → SCIM provisioning → OAuth clients (client credentials, RFC 6749 §4.4).
urlpatterns += [
    path("settings/scim/clients/", oauth_views.client_list, name="settings-scim-clients"),
    path(
        "settings/scim/clients/new/",
        oauth_views.client_create,
        name="settings-scim-client-create",
    ),
    path(
        "settings/scim/clients/lifetime/",
        oauth_views.token_lifetime,
        name="settings-scim-token-lifetime",
    ),
    path(
        "settings/scim/clients/<int:pk>/rotate/",
        oauth_views.client_rotate,
        name="settings-scim-client-rotate",
    ),
    path(
        "settings/scim/clients/<int:pk>/revoke/",
        oauth_views.client_revoke,
        name="settings-scim-client-revoke",
    ),
]
