from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "provisioning"
    verbose_name = "Provisioning"

    def ready(self) -> None:
        from accounts import idp
        from accounts.models import register_event_types
        from provisioning import checks  # noqa: F401  (registers the system checks)
        from provisioning.models import EventType
        from provisioning.scim import registry
        from provisioning.services import writes_custom_fields

        # Provisioning's events share accounts' audit trail; this names them there.
        register_event_types(EventType.choices)
        # A user's pages note the fields its IdP overwrites: those the registry's writable
        # attributes are kept in (a relation by its field: "branches__name" is "branches"), and
        # the custom ones when SCIM sets them.
        idp.register_written_fields(storage.split("__")[0] for storage in registry.writable())
        idp.register_custom_fields_check(writes_custom_fields)
