"""Recording ids per client: the vendor id moves to ``recording_id``, unique with the client;
``id`` stays the stored key.

Rows stored before keep their key (their vendor id, so the audit History still finds them); new
rows get a random key (``recordings.models.new_key``). Going back is possible only while every
key is still its row's vendor id."""

from django.db import migrations, models
from django.db.migrations.exceptions import IrreversibleError
from django.db.models import F

import recordings.models


def copy_ids(apps, schema_editor):
    Recording = apps.get_model("recordings", "Recording")
    Recording.objects.using(schema_editor.connection.alias).update(recording_id=F("id"))


def refuse_new_keys(apps, schema_editor):
    Recording = apps.get_model("recordings", "Recording")
    rows = Recording.objects.using(schema_editor.connection.alias)
    if rows.exclude(id=F("recording_id")).exists():
        raise IrreversibleError(
            "Recordings stored since 0002 have random keys and may share an id with another "
            "client's: they cannot go back to one id across clients."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("recordings", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="recording",
            name="recording_id",
            field=models.CharField(default="", max_length=64, verbose_name="recording id"),
            preserve_default=False,
        ),
        migrations.RunPython(copy_ids, refuse_new_keys, elidable=False),
        migrations.AlterField(
            model_name="recording",
            name="id",
            field=models.CharField(
                default=recordings.models.new_key,
                editable=False,
                max_length=64,
                primary_key=True,
                serialize=False,
                verbose_name="key",
            ),
        ),
        migrations.AddConstraint(
            model_name="recording",
            constraint=models.UniqueConstraint(
                fields=("client", "recording_id"), name="recording_client_recording_id"
            ),
        ),
        migrations.AlterModelOptions(
            name="recording",
            options={
                "ordering": ["-start_time", "recording_id", "id"],
                "verbose_name": "call recording",
            },
        ),
    ]
