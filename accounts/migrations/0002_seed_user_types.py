"""Seed the four user types every LMS portal starts with, and the account settings row."""

from django.db import migrations

DEFAULT_TYPES = [
    ("SuperAdmin", "administrator"),
    ("Admin-Type", "administrator"),
    ("Trainer-Type", "instructor"),
    ("Learner-Type", "learner"),
]


def seed(apps, schema_editor):
    UserType = apps.get_model("accounts", "UserType")
    AccountSettings = apps.get_model("accounts", "AccountSettings")
    for name, role in DEFAULT_TYPES:
        UserType.objects.update_or_create(name=name, defaults={"role": role, "is_builtin": True})
    learner = UserType.objects.get(name="Learner-Type")
    AccountSettings.objects.get_or_create(
        pk=1,
        defaults={
            "default_time_zone": "UTC",
            "default_user_type": learner,
            "default_language": "en",
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("accounts", "AccountSettings").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
