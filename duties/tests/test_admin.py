from django.urls import reverse

from duties.models import DutyDefinition


def test_role_admin_shows_its_duties_inline(client, staff_user):
    client.force_login(staff_user)
    definition = DutyDefinition.objects.get(slug="sprint-manager-wrap-up")
    response = client.get(reverse("admin:roles_role_change", args=[definition.role_id]))
    assert response.status_code == 200
    assert "Every spillover of the previous sprint has an explanation" in response.content.decode()


def test_definition_admin_refuses_an_invalid_cadence(client, staff_user):
    client.force_login(staff_user)
    definition = DutyDefinition.objects.get(slug="monthly-accounts-review")
    url = reverse("admin:duties_dutydefinition_change", args=[definition.pk])
    assert client.get(url).status_code == 200
    data = {
        "role": definition.role_id,
        "title": definition.title,
        "slug": definition.slug,
        "cadence": "sprint",  # a sprint cadence without a sprint day
        "lead_days": 2,
        "offset_days": 0,
        "assignee_rule": "holder",
        "active": "on",
        "checklist": definition.checklist,
        "sort_order": 1,
        "description": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200  # the form comes back with the error
    definition.refresh_from_db()
    assert definition.cadence == "monthly"


def test_instance_admin_lists(client, staff_user, wrap_up):
    client.force_login(staff_user)
    response = client.get(reverse("admin:duties_dutyinstance_changelist"))
    assert response.status_code == 200 and "Sprint wrap-up" in response.content.decode()
    assert client.get(reverse("admin:duties_dutyinstance_change", args=[wrap_up.pk])).status_code == 200
