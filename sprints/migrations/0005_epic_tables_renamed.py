"""Epics become an app of their own: first their tables are renamed in place, from
``sprints_*`` to ``epics_*`` (rows, keys and foreign keys stay as they are). ``epics`` 0001
then takes the models over in the migration state, and ``sprints`` 0006 lets them go.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sprints", "0004_epic_management"),
    ]

    operations = [
        migrations.AlterModelTable(name="epic", table="epics_epic"),
        migrations.AlterModelTable(name="historicalepic", table="epics_historicalepic"),
        migrations.AlterModelTable(name="epicstatuschange", table="epics_epicstatuschange"),
        migrations.AlterModelTable(name="epicbudgetperiod", table="epics_epicbudgetperiod"),
        migrations.AlterModelTable(name="historicalepicbudgetperiod", table="epics_historicalepicbudgetperiod"),
        migrations.AlterModelTable(name="epicmilestone", table="epics_epicmilestone"),
        migrations.AlterModelTable(name="historicalepicmilestone", table="epics_historicalepicmilestone"),
        migrations.AlterModelTable(name="epicupdate", table="epics_epicupdate"),
        migrations.AlterModelTable(name="historicalepicupdate", table="epics_historicalepicupdate"),
    ]
