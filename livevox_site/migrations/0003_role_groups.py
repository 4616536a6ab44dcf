"""Create the role and power groups with their model permissions (livevox_site.roles)."""

from django.db import migrations

from livevox_site.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [
        ("livevox_site", "0002_initial"),
        ("strategies", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
