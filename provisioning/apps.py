from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "provisioning"
    verbose_name = "Provisioning"

    def ready(self) -> None:
        from accounts.models import register_event_types
        from provisioning import checks  # noqa: F401  (registers the system checks)
        from provisioning.models import EventType

        # Provisioning's events share accounts' audit trail; this names them there.
        register_event_types(EventType.choices)
