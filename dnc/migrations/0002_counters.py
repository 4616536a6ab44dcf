"""Triggers that keep ``dnc_dnccounter`` (what ``info`` answers) equal to the row counts of the
DNC lists, per (client, list, service), in the transaction of every write.

PostgreSQL: statement-level triggers with transition tables, so a bulk write of 10,000 rows
adds one grouped upsert per statement, not one per row. SQLite: row-level triggers (the only
kind it has), fine at the sizes SQLite serves. An UPDATE moves a legacy row between counters
when its type or service changes; the other lists count per client only, which never changes.
"""

from django.db import migrations

COUNTER = "dnc_dnccounter"

# table -> (SQL of the list name from a row, SQL of the service id from a row, counts updates)
COUNTED = {
    "dnc_legacyentry": ("'legacy:' || {r}.dnc_type", "{r}.service_id", True),
    "dnc_dialtimeentry": ("'dialtime'", "0", False),
    "dnc_emailentry": ("'email'", "0", False),
    "dnc_smsentry": ("'sms'", "0", False),
}


def _pg_add(rows: str, sign: str, list_sql: str, service_sql: str) -> str:
    return (
        f"INSERT INTO {COUNTER} (client_id, list, service_id, size) "  # noqa: S608
        f"SELECT r.client_id, {list_sql.format(r='r')}, {service_sql.format(r='r')}, "
        # In key order: two statements moving the same counters lock them in one order.
        f"{sign}COUNT(*) FROM {rows} r GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 "
        "ON CONFLICT (client_id, list, service_id) "
        f"DO UPDATE SET size = {COUNTER}.size + excluded.size;"
    )


def postgresql_sql(table: str) -> list[str]:
    list_sql, service_sql, updates = COUNTED[table]
    statements = []
    ops = [
        ("ins", "INSERT", "NEW TABLE AS new_rows", [("new_rows", "")]),
        ("del", "DELETE", "OLD TABLE AS old_rows", [("old_rows", "-")]),
    ]
    if updates:
        ops.append(
            (
                "upd",
                "UPDATE",
                "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                [("old_rows", "-"), ("new_rows", "")],
            )
        )
    for suffix, event, referencing, parts in ops:
        name = f"{table}_count_{suffix}"
        body = " ".join(_pg_add(rows, sign, list_sql, service_sql) for rows, sign in parts)
        statements.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body} RETURN NULL; END $$;"
        )
        statements.append(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}();"
        )
    return statements


def _sqlite_add(row: str, sign: str, list_sql: str, service_sql: str) -> str:
    return (
        f"INSERT INTO {COUNTER} (client_id, list, service_id, size) VALUES "  # noqa: S608
        f"({row}.client_id, {list_sql.format(r=row)}, {service_sql.format(r=row)}, {sign}1) "
        f"ON CONFLICT (client_id, list, service_id) DO UPDATE SET size = size + excluded.size;"
    )


def sqlite_sql(table: str) -> list[str]:
    list_sql, service_sql, updates = COUNTED[table]
    ops = [("ins", "INSERT", [("NEW", "")]), ("del", "DELETE", [("OLD", "-")])]
    if updates:
        ops.append(("upd", "UPDATE OF dnc_type, service_id", [("OLD", "-"), ("NEW", "")]))
    statements = []
    for suffix, event, parts in ops:
        body = " ".join(_sqlite_add(row, sign, list_sql, service_sql) for row, sign in parts)
        statements.append(
            f"CREATE TRIGGER {table}_count_{suffix} AFTER {event} ON {table} "
            f"FOR EACH ROW BEGIN {body} END;"
        )
    return statements


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"DNC counters need triggers written for {vendor}")
    build = postgresql_sql if vendor == "postgresql" else sqlite_sql
    for table in COUNTED:
        for statement in build(table):
            schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for table in COUNTED:
        for suffix in ("ins", "del", "upd"):
            name = f"{table}_count_{suffix}"
            if postgresql:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("dnc", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
