"""The back office (/admin/): raw data, with every change routed through accounts.services."""

from __future__ import annotations

from dataclasses import fields

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponseRedirect

from accounts import services
from accounts.exceptions import AccountError
from accounts.models import (
    AccountSettings,
    AuditEvent,
    Branch,
    Group,
    Membership,
    Source,
    User,
    UserQuerySet,
    UserType,
)


def _actor(request: HttpRequest) -> services.Actor:
    return services.Actor.for_request(request, source=Source.BACK_OFFICE)


def _became(obj, saved) -> None:
    """Let the admin's object be the row a service saved (for its message and redirect)."""
    obj.pk = saved.pk
    obj.refresh_from_db()


class DeletedFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("inactive", "Inactive"), ("deleted", "Deleted")]

    def queryset(self, request, queryset: QuerySet[User]) -> QuerySet[User]:
        assert isinstance(queryset, UserQuerySet)  # the admin's, from User.objects
        match self.value():
            case "active":
                return queryset.alive().filter(is_active=True)
            case "inactive":
                return queryset.alive().filter(is_active=False)
            case "deleted":
                return queryset.soft_deleted()
        return queryset


class UserAddForm(forms.ModelForm):
    password = forms.CharField(widget=forms.PasswordInput, required=False)

    class Meta:
        model = User
        fields = [
            "username",
            "email",
            "first_name",
            "last_name",
            "password",
            "time_zone",
            "user_type",
            "language",
            "branches",
            "is_active",
            "is_staff",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Left empty, these take the branch's or the account's default (accounts.defaults).
        for name in ("time_zone", "user_type"):
            self.fields[name].required = False
            self.fields[name].help_text = "Leave empty for the branch's or account's default."


class UserChangeForm(forms.ModelForm):
    password = forms.CharField(
        widget=forms.PasswordInput, required=False, help_text="Leave empty to keep the password."
    )

    class Meta:
        model = User
        fields = [
            "username",
            "email",
            "first_name",
            "last_name",
            "password",
            "time_zone",
            "user_type",
            "language",
            "external_id",
            "branches",
            "is_active",
            "is_staff",
        ]


def _report(request: HttpRequest, done: int, refused: list[str], verb: str) -> None:
    if done:
        messages.success(request, f"{verb} {done} user(s).")
    for reason in refused:
        messages.error(request, reason)


class RefusalsAsMessages(admin.ModelAdmin):
    """Saves go through accounts' use cases: a refusal of theirs (a value the domain does not
    take) is the change form's message, and the form again, rather than an error page. The
    admin's transaction is rolled back first, so nothing is half-saved."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except AccountError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(request.get_full_path())


@admin.register(User)
class UserAdmin(RefusalsAsMessages):
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "user_type",
        "is_active",
        "deleted_at",
        "source",
        "created_at",
    ]
    list_filter = [DeletedFilter, "user_type", "branches", "source"]
    search_fields = ["username", "email", "first_name", "last_name"]
    readonly_fields = [
        "scim_id",
        "version",
        "status_changed_at",
        "deleted_at",
        "created_at",
        "updated_at",
        "last_login",
    ]
    actions = ["deactivate", "reactivate", "soft_delete", "restore", "purge"]
    list_select_related = ["user_type"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = UserChangeForm if obj else UserAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        form = UserChangeForm if obj else UserAddForm
        form_fields = list(form.Meta.fields)
        return form_fields + (self.readonly_fields if obj else [])

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting is a soft delete or, for deleted users, a permanent one: see the actions.
        return False

    def save_model(self, request, obj: User, form: forms.ModelForm, change: bool) -> None:
        actor = _actor(request)
        data = form.cleaned_data
        if change:
            changes = {name: data[name] for name in form.changed_data if name != "password"}
            if data.get("password"):
                changes["password"] = data["password"]
            saved = services.update_user(User.objects.get(pk=obj.pk), changes, actor=actor).user
        else:
            saved = services.create_user(
                services.NewUser(**{**data, "branches": list(data["branches"])}), actor=actor
            )
        # Domain errors raised above roll the admin's transaction back; changeform_view
        # turns them into a message.
        _became(obj, saved)

    def save_related(self, request, form, formsets, change) -> None:
        # Branches were saved by the service, with the defaults rule applied.
        pass

    def _each(self, request, queryset, verb: str, action) -> None:
        actor = _actor(request)
        done, refused = 0, []
        for user in queryset:
            try:
                action(user, actor=actor)
                done += 1
            except AccountError as error:
                refused.append(str(error))
        _report(request, done, refused, verb)

    @admin.action(description="Deactivate selected users")
    def deactivate(self, request, queryset):
        self._each(request, queryset, "Deactivated", services.deactivate_user)

    @admin.action(description="Reactivate selected users")
    def reactivate(self, request, queryset):
        self._each(request, queryset, "Reactivated", services.reactivate_user)

    @admin.action(description="Delete selected users (soft delete, can be restored)")
    def soft_delete(self, request, queryset):
        self._each(request, queryset, "Deleted", services.soft_delete_user)

    @admin.action(description="Restore selected deleted users")
    def restore(self, request, queryset):
        self._each(request, queryset, "Restored", services.restore_user)

    @admin.action(description="Permanently delete selected deleted users (cannot be undone)")
    def purge(self, request, queryset):
        self._each(request, queryset, "Permanently deleted", services.permanently_delete_user)


@admin.register(UserType)
class UserTypeAdmin(RefusalsAsMessages):
    list_display = ["name", "role", "is_builtin"]

    def has_change_permission(self, request, obj: UserType | None = None) -> bool:
        return not (obj and obj.is_protected) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj: UserType | None = None) -> bool:
        return not (obj and obj.is_protected) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj: UserType, form, change: bool) -> None:
        name, role, actor = form.cleaned_data["name"], form.cleaned_data["role"], _actor(request)
        if change:
            saved = services.update_user_type(obj, name=name, role=role, actor=actor)
        else:
            saved = services.create_user_type(name=name, role=role, actor=actor)
        _became(obj, saved)

    def delete_model(self, request, obj: UserType) -> None:
        services.delete_user_type(obj, actor=_actor(request))

    def delete_queryset(self, request, queryset) -> None:
        for user_type in queryset:
            services.delete_user_type(user_type, actor=_actor(request))


@admin.register(Branch)
class BranchAdmin(RefusalsAsMessages):
    list_display = ["name", "slug", "default_time_zone", "default_user_type", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def save_model(self, request, obj: Branch, form, change: bool) -> None:
        data = services.BranchData(
            **{field.name: form.cleaned_data[field.name] for field in fields(services.BranchData)}
        )
        if change:
            saved = services.update_branch(obj, data, actor=_actor(request))
        else:
            saved = services.create_branch(data, actor=_actor(request))
        _became(obj, saved)


class MembershipInline(admin.TabularInline):
    """A group's members, picked by key (raw_id_fields): a drop-down of every user would not
    load for a large account. A very large group is easier to read on its portal page."""

    model = Membership
    raw_id_fields = ["user"]
    fields = ["user", "created_at"]
    readonly_fields = ["created_at"]
    extra = 0


def _member_change(formset) -> services.MemberChange:
    """What the inline's rows ask of the members, by user key: rows added, rows deleted, and
    rows whose user was replaced (the old one out, the new one in)."""
    add, remove = set(), set()
    for form in formset.forms:
        before = form.initial.get("user")  # a key; none on a new row
        after = form.cleaned_data.get("user")
        if form in formset.deleted_forms:
            remove |= {before} - {None}
        elif form.has_changed() and after is not None and after.pk != before:
            add.add(after.pk)
            remove |= {before} - {None}
    return services.MemberChange(add=add, remove=remove)


@admin.register(Group)
class GroupAdmin(RefusalsAsMessages):
    """Groups through their use cases (and their audit): the fields on save, the members from
    the inline after it. A group an IdP manages keeps its name and members (the refusal is
    the form's message); its branch and who manages it may change."""

    list_display = ["name", "managed_by", "branch", "member_count", "updated_at"]
    list_filter = ["managed_by", "branch"]
    search_fields = ["name", "external_id"]
    fields = ["name", "description", "branch", "external_id", "managed_by"]
    readonly_fields = ["scim_id", "version", "created_at", "updated_at"]
    inlines = [MembershipInline]
    list_select_related = ["branch"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    def get_fields(self, request, obj=None):
        return self.fields + (self.readonly_fields if obj else [])

    @admin.display(description="Members", ordering="member_count")
    def member_count(self, obj: Group) -> int:
        return obj.member_count  # type: ignore[attr-defined]

    def has_delete_permission(self, request, obj: Group | None = None) -> bool:
        # Deleting an IdP's group is the IdP's (the use case refuses it, too).
        return not (obj and obj.is_scim_managed) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj: Group, form, change: bool) -> None:
        data, actor = form.cleaned_data, _actor(request)
        if change:
            changed = {name: data[name] for name in form.changed_data}
            # The use case reads the row again, locked: the admin's edited copy names it only.
            saved = services.change_group(obj, actor=actor, fields=changed)
        else:
            new = services.NewGroup(
                name=data["name"],
                description=data["description"],
                branch=data["branch"],
                external_id=data["external_id"],
                managed_by=data["managed_by"],
            )
            saved = services.create_group(new, actor=actor)
        _became(obj, saved.group)

    def save_related(self, request, form, formsets, change) -> None:
        # Members go through the use case, never the formset's own save.
        for formset in formsets:
            formset.save(commit=False)  # only sets new_objects etc. for the admin's history
            members = _member_change(formset)
            if not members.empty:
                services.change_group(form.instance, actor=_actor(request), members=members)

    def delete_model(self, request, obj: Group) -> None:
        services.delete_group(obj, actor=_actor(request))

    def delete_queryset(self, request, queryset) -> None:
        actor, refused = _actor(request), []
        for group in queryset:
            try:
                services.delete_group(group, actor=actor)
            except AccountError as error:
                refused.append(str(error))
        for reason in refused:
            messages.error(request, reason)


@admin.register(AccountSettings)
class AccountSettingsAdmin(RefusalsAsMessages):
    list_display = ["__str__", "default_time_zone", "default_user_type", "default_language"]

    def has_add_permission(self, request) -> bool:
        return not AccountSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: AccountSettings, form, change: bool) -> None:
        names = ("default_time_zone", "default_language", "default_user_type")
        saved = services.update_account_settings(
            actor=_actor(request), **{name: form.cleaned_data.get(name) for name in names}
        )
        _became(obj, saved)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only: only use cases write it."""

    list_display = [
        "created_at",
        "event_label",
        "outcome",
        "source",
        "actor_label",
        "address",
        "target_label",
    ]
    list_filter = ["source", "outcome", "event_type"]
    search_fields = ["target_label", "actor_label"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
