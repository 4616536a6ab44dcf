"""Seed the call results catalog (lvResultId). Ids include those the vendor's examples use."""

from django.db import migrations

RESULTS = [
    (301, "Answering Machine - Message Left", "A machine answered and the message was left."),
    (305, "Agent Transfer", "The call was transferred to a live agent."),
    (310, "Fax / Modem", "A fax machine or modem answered."),
    (316, "Busy", "The line was busy."),
    (320, "No Answer", "The phone rang with no answer."),
    (322, "Disconnected Number", "The number is disconnected or not in service."),
    (339, "Answering Machine - No Message Left", "A machine answered; no message was left."),
    (350, "Dead Air", "The call connected but nobody spoke."),
    (402, "Wrong Number", "The party reached is not the account holder."),
    (410, "Invalid Number", "The number is not a valid phone number."),
    (476, "Operator Intercept", "A carrier intercept message (SIT tone) was heard."),
    (500, "Customer Hung Up", "The called party hung up before the message or the agent."),
    (512, "Abandoned", "The call was dropped before an agent was free."),
    (600, "Do Not Call Request", "The called party asked not to be called again."),
    (742, "Call Back Requested", "The agent scheduled a call back."),
]


def seed(apps, schema_editor):
    Result = apps.get_model("strategies", "Result")
    for result_id, name, description in RESULTS:
        Result.objects.update_or_create(
            id=result_id, defaults={"name": name, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("strategies", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
