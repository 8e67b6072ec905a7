"""The epics app takes over the epic models from ``sprints`` without copying a row.

``sprints`` 0005 renamed the tables in place (``sprints_epic`` -> ``epics_epic``, ...); here
the models enter this app's migration state (the database is not touched by that part), the
three indexes named after the old tables take names that follow the new ones, and the
content types move to this app so permissions, admin history and generic links follow the
models. ``sprints`` 0006 then drops the old model states. Every step reverses.
"""

import uuid

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MODELS = [
    "epic",
    "historicalepic",
    "epicstatuschange",
    "epicbudgetperiod",
    "historicalepicbudgetperiod",
    "epicmilestone",
    "historicalepicmilestone",
    "epicupdate",
    "historicalepicupdate",
]

# (model, index name under sprints, index name under epics)
INDEXES = [
    ("epic", "sprints_epi_cell_id_bbf599_idx", "epics_epic_cell_id_f4d5a5_idx"),
    ("epicmilestone", "sprints_epi_epic_id_afa851_idx", "epics_epicm_epic_id_011a08_idx"),
    ("epicstatuschange", "sprints_epi_epic_id_ad8c8a_idx", "epics_epics_epic_id_0dcfb5_idx"),
]


def _rename_indexes(apps, schema_editor, *, forward: bool) -> None:
    for model_name, old_name, new_name in INDEXES:
        model = apps.get_model("epics", model_name)
        index = next(i for i in model._meta.indexes if i.name == new_name)
        old, new = index.clone(), index.clone()
        old.name, new.name = (old_name, new_name) if forward else (new_name, old_name)
        schema_editor.rename_index(model, old, new)


def indexes_forward(apps, schema_editor) -> None:
    _rename_indexes(apps, schema_editor, forward=True)


def indexes_backward(apps, schema_editor) -> None:
    _rename_indexes(apps, schema_editor, forward=False)


def _move_content_types(apps, *, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        # A content type already made for the target (a post-migrate run in between) wins:
        # the old row would otherwise collide with it on (app_label, model).
        if ContentType.objects.filter(app_label=target, model=model).exists():
            continue
        ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def content_types_forward(apps, schema_editor) -> None:
    _move_content_types(apps, source="sprints", target="epics")


def content_types_backward(apps, schema_editor) -> None:
    _move_content_types(apps, source="epics", target="sprints")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("roles", "0004_time_off_no_overlap"),
        ("sprints", "0005_epic_tables_renamed"),
        ("sustainability", "0008_alertcrossing_seen_on"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Epic',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('jira_id', models.CharField(blank=True, max_length=32, null=True, unique=True)),
                        ('key', models.CharField(max_length=32, unique=True)),
                        ('title', models.CharField(max_length=255)),
                        ('client', models.CharField(blank=True, max_length=200)),
                        ('status', models.CharField(choices=[('prospect', 'Prospect'), ('offer', 'Offer / Waiting on client'), ('accepted', 'Accepted'), ('in_development', 'In Development'), ('delivered', 'Delivered to client / QA'), ('done', 'Done')], default='prospect', max_length=20)),
                        ('budget_kind', models.CharField(choices=[('fixed', 'Fixed scope / fixed budget'), ('monthly', 'Dynamic scope / monthly budget'), ('none', 'Dynamic scope / no budget (ad hoc support)')], default='fixed', max_length=10)),
                        ('budget_hours', models.DecimalField(blank=True, decimal_places=2, max_digits=9, null=True, validators=[django.core.validators.MinValueValidator(0)])),
                        ('description', models.TextField(blank=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('account', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='epics', to='sustainability.account')),
                        ('cell', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='epics', to='roles.cell')),
                        ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='owned_epics', to='roles.member')),
                        ('reviewer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='reviewed_epics', to='roles.member')),
                    ],
                    options={
                        'ordering': ['key'],
                    },
                ),
                migrations.CreateModel(
                    name='EpicBudgetPeriod',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('hours_per_month', models.DecimalField(decimal_places=2, max_digits=8, validators=[django.core.validators.MinValueValidator(0)])),
                        ('since', models.DateField()),
                        ('note', models.CharField(blank=True, max_length=255)),
                        ('epic', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='budget_periods', to='epics.epic')),
                    ],
                    options={
                        'ordering': ['epic', 'since'],
                    },
                ),
                migrations.CreateModel(
                    name='EpicMilestone',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=255)),
                        ('deadline', models.DateField()),
                        ('done', models.BooleanField(default=False)),
                        ('epic', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='milestones', to='epics.epic')),
                    ],
                    options={
                        'ordering': ['deadline', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='EpicStatusChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('from_status', models.CharField(choices=[('prospect', 'Prospect'), ('offer', 'Offer / Waiting on client'), ('accepted', 'Accepted'), ('in_development', 'In Development'), ('delivered', 'Delivered to client / QA'), ('done', 'Done')], max_length=20)),
                        ('to_status', models.CharField(choices=[('prospect', 'Prospect'), ('offer', 'Offer / Waiting on client'), ('accepted', 'Accepted'), ('in_development', 'In Development'), ('delivered', 'Delivered to client / QA'), ('done', 'Done')], max_length=20)),
                        ('changed_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('note', models.CharField(blank=True, max_length=500)),
                        ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('epic', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_changes', to='epics.epic')),
                    ],
                    options={
                        'ordering': ['-changed_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='EpicUpdate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('ref', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('budget_kind', models.CharField(choices=[('fixed', 'Fixed scope / fixed budget'), ('monthly', 'Dynamic scope / monthly budget'), ('none', 'Dynamic scope / no budget (ad hoc support)')], max_length=10)),
                        ('answers', models.JSONField(default=dict)),
                        ('post_state', models.CharField(choices=[('not_posted', 'Not posted'), ('queued', 'Queued for JIRA'), ('posted', 'Posted to JIRA'), ('failed', 'Posting failed')], default='not_posted', max_length=12)),
                        ('jira_comment_id', models.CharField(blank=True, max_length=64)),
                        ('post_attempts', models.PositiveSmallIntegerField(default=0)),
                        ('post_error', models.TextField(blank=True)),
                        ('posted_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='epic_updates', to='roles.member')),
                        ('epic', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='updates', to='epics.epic')),
                        ('sprint', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='epic_updates', to='sprints.sprint')),
                    ],
                    options={
                        'ordering': ['-sprint__number', 'epic__key'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalEpic',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('jira_id', models.CharField(blank=True, db_index=True, max_length=32, null=True)),
                        ('key', models.CharField(db_index=True, max_length=32)),
                        ('title', models.CharField(max_length=255)),
                        ('client', models.CharField(blank=True, max_length=200)),
                        ('status', models.CharField(choices=[('prospect', 'Prospect'), ('offer', 'Offer / Waiting on client'), ('accepted', 'Accepted'), ('in_development', 'In Development'), ('delivered', 'Delivered to client / QA'), ('done', 'Done')], default='prospect', max_length=20)),
                        ('budget_kind', models.CharField(choices=[('fixed', 'Fixed scope / fixed budget'), ('monthly', 'Dynamic scope / monthly budget'), ('none', 'Dynamic scope / no budget (ad hoc support)')], default='fixed', max_length=10)),
                        ('budget_hours', models.DecimalField(blank=True, decimal_places=2, max_digits=9, null=True, validators=[django.core.validators.MinValueValidator(0)])),
                        ('description', models.TextField(blank=True)),
                        ('updated_at', models.DateTimeField(blank=True, editable=False)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('account', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='sustainability.account')),
                        ('cell', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='roles.cell')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('owner', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='roles.member')),
                        ('reviewer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='roles.member')),
                    ],
                    options={
                        'verbose_name': 'historical epic',
                        'verbose_name_plural': 'historical epics',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalEpicBudgetPeriod',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('hours_per_month', models.DecimalField(decimal_places=2, max_digits=8, validators=[django.core.validators.MinValueValidator(0)])),
                        ('since', models.DateField()),
                        ('note', models.CharField(blank=True, max_length=255)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('epic', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='epics.epic')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical epic budget period',
                        'verbose_name_plural': 'historical epic budget periods',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalEpicMilestone',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('title', models.CharField(max_length=255)),
                        ('deadline', models.DateField()),
                        ('done', models.BooleanField(default=False)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('epic', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='epics.epic')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical epic milestone',
                        'verbose_name_plural': 'historical epic milestones',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalEpicUpdate',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('ref', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                        ('budget_kind', models.CharField(choices=[('fixed', 'Fixed scope / fixed budget'), ('monthly', 'Dynamic scope / monthly budget'), ('none', 'Dynamic scope / no budget (ad hoc support)')], max_length=10)),
                        ('answers', models.JSONField(default=dict)),
                        ('post_state', models.CharField(choices=[('not_posted', 'Not posted'), ('queued', 'Queued for JIRA'), ('posted', 'Posted to JIRA'), ('failed', 'Posting failed')], default='not_posted', max_length=12)),
                        ('jira_comment_id', models.CharField(blank=True, max_length=64)),
                        ('posted_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(blank=True, editable=False)),
                        ('updated_at', models.DateTimeField(blank=True, editable=False)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('author', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='roles.member')),
                        ('epic', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='epics.epic')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('sprint', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='sprints.sprint')),
                    ],
                    options={
                        'verbose_name': 'historical epic update',
                        'verbose_name_plural': 'historical epic updates',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.AddIndex(
                    model_name='epic',
                    index=models.Index(fields=['cell', 'status'], name='epics_epic_cell_id_f4d5a5_idx'),
                ),
                migrations.AddConstraint(
                    model_name='epic',
                    constraint=models.CheckConstraint(condition=models.Q(('budget_hours__isnull', True), ('budget_hours__gte', 0), _connector='OR'), name='epic_budget_not_negative', violation_error_message='An epic budget cannot be negative.'),
                ),
                migrations.AddConstraint(
                    model_name='epicbudgetperiod',
                    constraint=models.UniqueConstraint(fields=('epic', 'since'), name='epic_budget_one_change_per_day', violation_error_message='This epic already has a budget change on that date.'),
                ),
                migrations.AddConstraint(
                    model_name='epicbudgetperiod',
                    constraint=models.CheckConstraint(condition=models.Q(('hours_per_month__gte', 0)), name='epic_monthly_budget_not_negative', violation_error_message='A monthly budget cannot be negative.'),
                ),
                migrations.AddIndex(
                    model_name='epicmilestone',
                    index=models.Index(fields=['epic', 'done', 'deadline'], name='epics_epicm_epic_id_011a08_idx'),
                ),
                migrations.AddIndex(
                    model_name='epicstatuschange',
                    index=models.Index(fields=['epic', 'changed_at'], name='epics_epics_epic_id_0dcfb5_idx'),
                ),
                migrations.AddConstraint(
                    model_name='epicstatuschange',
                    constraint=models.CheckConstraint(condition=models.Q(('from_status', models.F('to_status')), _negated=True), name='epic_status_change_changes', violation_error_message='A status change must change the status.'),
                ),
                migrations.AddConstraint(
                    model_name='epicupdate',
                    constraint=models.UniqueConstraint(fields=('epic', 'sprint'), name='one_epic_update_per_sprint', violation_error_message='This epic already has an update for that sprint.'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(indexes_forward, indexes_backward),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
