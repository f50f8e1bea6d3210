"""The provisioning log becomes accounts' audit trail (accounts.AuditEvent), which every use
case writes, whatever path it came by. Its rows are copied there, then its table is dropped.

One way: reversing recreates an empty provisioning log (the trail keeps the copied rows).
"""

from django.db import migrations

# An old row's path, from its actor's label (the only place the log recorded it).
_SOURCES = {"scim": "scim", "sso": "sso", "system": "command", "user": "portal"}


def _source(actor_label: str) -> str:
    return _SOURCES.get(actor_label.partition(":")[0], "system")


def copy_events(apps, schema_editor):
    old = apps.get_model("provisioning", "ProvisioningEvent")
    new = apps.get_model("accounts", "AuditEvent")
    rows = old.objects.using(schema_editor.connection.alias).order_by("pk").iterator()
    batch = []
    for event in rows:
        batch.append(
            new(
                created_at=event.created_at,
                event_type=event.event_type,
                outcome=event.outcome,
                source=_source(event.actor_label),
                actor_label=event.actor_label,
                target_user_id=event.target_user_id,
                target_label=event.target_label,
                # The log kept names only, no values.
                changes=[{"field": name} for name in event.changed],
                detail=event.detail,
            )
        )
        if len(batch) == 500:
            new.objects.using(schema_editor.connection.alias).bulk_create(batch)
            batch = []
    new.objects.using(schema_editor.connection.alias).bulk_create(batch)
    # auto_now_add set created_at on bulk_create: put back each row's time, in order.
    copied = new.objects.using(schema_editor.connection.alias).order_by("pk")
    times = old.objects.using(schema_editor.connection.alias).order_by("pk")
    for event, original in zip(copied.iterator(), times.iterator(), strict=True):
        if event.created_at != original.created_at:
            event.created_at = original.created_at
            event.save(update_fields=["created_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("provisioning", "0003_cache_table"),
        ("accounts", "0005_audit_event"),
    ]

    operations = [
        migrations.RunPython(copy_events, migrations.RunPython.noop),
        migrations.DeleteModel(name="ProvisioningEvent"),
    ]
