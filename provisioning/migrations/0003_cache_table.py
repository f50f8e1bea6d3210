"""Create the table of the database cache (the default CACHE_URL), where rate-limit counters
live so that every app process sees them."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # Creates the table of every database cache configured, and nothing when there is none.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("provisioning", "0002_sso")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
