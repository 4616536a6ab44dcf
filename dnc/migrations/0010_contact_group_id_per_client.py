"""Contact group ids per client: the vendor id (``contactGroupId``) moves to ``group_id``, unique
with the client; ``id`` stays the stored key.

Groups stored before keep their key (their vendor id, so the audit History still finds them);
new groups get a random key (``dnc.models.new_group_key``). Entries keep their
``contact_group_id``: it always was the vendor id, and names a group of the entry's client.
Going back is possible only while every key is still its group's vendor id."""

from django.db import migrations, models
from django.db.migrations.exceptions import IrreversibleError
from django.db.models import F

import dnc.models


def copy_ids(apps, schema_editor):
    ContactGroup = apps.get_model("dnc", "ContactGroup")
    ContactGroup.objects.using(schema_editor.connection.alias).update(group_id=F("id"))


def restart_key_sequence(apps, schema_editor):
    # Back at 0009 the key is a sequence again (PostgreSQL's identity starts at 1): move it
    # past the keys, as ``livevox_site.models.sync_id_sequence`` does after explicit ids.
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT counts the rows copied back by itself
    schema_editor.execute(
        "SELECT setval(pg_get_serial_sequence('dnc_contactgroup', 'id'), "
        "GREATEST((SELECT MAX(id) FROM dnc_contactgroup), 1))"
    )


def refuse_new_keys(apps, schema_editor):
    ContactGroup = apps.get_model("dnc", "ContactGroup")
    groups = ContactGroup.objects.using(schema_editor.connection.alias)
    if groups.exclude(id=F("group_id")).exists():
        raise IrreversibleError(
            "Contact groups stored since dnc 0010 have random keys and may share an id with "
            "another client's: they cannot go back to one id across clients."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dnc", "0009_preview_visibility"),
    ]

    operations = [
        migrations.AddField(
            model_name="contactgroup",
            name="group_id",
            field=models.IntegerField(default=0, verbose_name="id"),
            preserve_default=False,
        ),
        migrations.RunPython(copy_ids, restart_key_sequence, elidable=False),
        migrations.AlterField(
            model_name="contactgroup",
            name="id",
            field=models.BigIntegerField(
                default=dnc.models.new_group_key,
                editable=False,
                primary_key=True,
                serialize=False,
                verbose_name="key",
            ),
        ),
        # Backwards, this runs before the key becomes an integer sequence again: a random key
        # (beyond 2**31) must stop the way back first.
        migrations.RunPython(migrations.RunPython.noop, refuse_new_keys, elidable=False),
        migrations.AddConstraint(
            model_name="contactgroup",
            constraint=models.UniqueConstraint(
                fields=("client", "group_id"), name="dnc_contact_group_id"
            ),
        ),
        migrations.AlterModelOptions(
            name="contactgroup",
            options={"ordering": ["group_id", "id"]},
        ),
    ]
