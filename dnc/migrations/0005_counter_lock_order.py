"""The counter triggers' functions, again: each statement now moves its counters in key order
(``ORDER BY`` in ``0002_counters``), so two statements that move the same counters cannot
deadlock on them. Databases migrated before that change get the new functions here; new ones
already have them (the statements are ``CREATE OR REPLACE``). PostgreSQL only: SQLite's
row-level triggers have a single writer."""

import importlib

from django.db import migrations

counters = importlib.import_module("dnc.migrations.0002_counters")


def replace_functions(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in counters.COUNTED:
        for statement in counters.postgresql_sql(table):
            if statement.startswith("CREATE OR REPLACE FUNCTION"):
                schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("dnc", "0004_suppression_preview")]

    operations = [migrations.RunPython(replace_functions, migrations.RunPython.noop)]
