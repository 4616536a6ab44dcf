"""On PostgreSQL the audit table refuses UPDATE and DELETE in the database itself, so not even
raw SQL or another program with the same credentials rewrites history. TRUNCATE stays possible
(test databases are flushed with it); nothing legitimate deletes entries, since a client with
history cannot be deleted (PROTECT). SQLite relies on the ORM guard (ImmutableQuerySet)."""

from django.db import migrations

FUNCTION = "livevox_audit_append_only"
TRIGGER = "livevox_audit_append_only"


def _table(apps) -> str:
    return apps.get_model("livevox_site", "AuditEntry")._meta.db_table


def create_trigger(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit entries are append-only: % refused on %', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """,
        params=None,  # no placeholders: the message's % signs are plpgsql's
    )
    # Per statement: refused even when no row matches, and one check however many rows.
    schema_editor.execute(
        f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {quote(_table(apps))} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
    )


def drop_trigger(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"DROP TRIGGER IF EXISTS {TRIGGER} ON {schema_editor.quote_name(_table(apps))}"
    )
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("livevox_site", "0006_failedlogin_throttle_indexes"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
