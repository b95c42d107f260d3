"""A request Django refuses as too large gets a Swedish page, never a 500."""

import pytest
from django.urls import reverse

from finsam.models import Membership
from tests.factories import MembershipFactory, PlanFactory

pytestmark = pytest.mark.django_db


def test_a_pasted_table_larger_than_the_request_limit_gets_a_swedish_400(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    membership = MembershipFactory(role=Membership.Role.CHIEF)
    plan = PlanFactory(association=membership.association)
    client.force_login(membership.user)
    url = reverse("budget_import", kwargs={"association": plan.association.slug, "pk": plan.pk})
    response = client.post(url, {"text": "Intäkter\t1\n" * 5_000})
    assert response.status_code == 400
    assert "för stort" in response.text and 'lang="sv"' in response.text
    assert not plan.budget_columns.exists()
