from django.db import migrations


def load(apps, schema_editor):
    from duties.catalog import load_duty_catalog

    load_duty_catalog(apps.get_model("duties", "DutyDefinition"), apps.get_model("roles", "Role"))


class Migration(migrations.Migration):
    dependencies = [("duties", "0001_initial"), ("roles", "0002_role_catalog")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
