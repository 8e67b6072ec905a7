from django.db import migrations


def load(apps, schema_editor):
    from roles.catalog import load_catalog

    load_catalog(apps.get_model("roles", "Role"))


class Migration(migrations.Migration):
    dependencies = [("roles", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
