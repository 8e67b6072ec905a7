"""Requests to change a weekly commitment (issue 15): a new table, nothing else changes."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import opencraft_ops.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('roles', '0006_api_tokens_stored_as_digests'),
    ]

    operations = [
        migrations.CreateModel(
            name='CommitmentChangeRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('hours_per_week', models.DecimalField(decimal_places=2, max_digits=5, validators=[django.core.validators.MinValueValidator(0, message='Weekly hours cannot be negative.'), django.core.validators.MaxValueValidator(80, message='Weekly hours cannot exceed 80.')])),
                ('since', models.DateField(help_text='The day the new commitment starts.', validators=[opencraft_ops.validators.validate_sensible_date])),
                ('reason', models.TextField(blank=True)),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('approved', 'Approved'), ('declined', 'Declined'), ('withdrawn', 'Withdrawn')], default='pending', max_length=10)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_note', models.TextField(blank=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='commitment_requests_decided', to='roles.member')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='commitment_requests', to='roles.member')),
            ],
            options={
                'ordering': ['-requested_at'],
                'indexes': [models.Index(fields=['status', 'requested_at'], name='commitment_request_status')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('member',), name='commitment_request_one_pending', violation_error_message='There is already a pending request to change these weekly hours; withdraw it before asking again.'), models.CheckConstraint(condition=models.Q(('hours_per_week__gte', 0), ('hours_per_week__lte', 80)), name='commitment_request_hours_in_range', violation_error_message='Weekly hours must be between 0 and 80.'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'pending'), ('decided_at__isnull', True), ('decided_by__isnull', True)), models.Q(models.Q(('status', 'pending'), _negated=True), ('decided_at__isnull', False)), _connector='OR'), name='commitment_request_decided_when_not_pending', violation_error_message='A decided request needs its decision time; a pending one has none.')],
            },
        ),
    ]
