"""The interventions' summary table: grants per year, group subtotals and the total, as Gävleborg prints it."""

import pytest

from budgets.calc import grant_summary
from finsam.site.demo.loader import load_demo
from finsam.site.demo.reading import DATA_DIR
from plans.models import Plan
from plans.queries import plan_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def gavleborg():
    load_demo(paths=[DATA_DIR / "gavleborg.json"])
    return Plan.objects.get(association__slug="gavleborg")


def test_group_subtotals_reproduce_the_documents_totals(gavleborg):
    document = plan_document(gavleborg)
    summary = document.grant_summary
    subtotals = {group.name: group.totals[2022] for group in summary.groups}
    # "Totalt Mysam 5 854 905", "Totalt Trisam 5 356 032", and Utvecklingsinsatser (no group) 300 000.
    assert subtotals == {"Mysam": 5854905, "Trisam": 5356032, "": 300000}
    assert summary.totals[2022] == 11510937
    assert summary.totals[2023] == 8886000


def test_the_plan_page_prints_the_summary_with_subtotals(client, gavleborg):
    client.force_login(gavleborg.association.memberships.get(role="chief").user)
    text = client.get(gavleborg.get_absolute_url()).text
    assert "Totalt Mysam" in text and "5\u00a0854\u00a0905" in text
    assert "Totalt Trisam" in text and "5\u00a0356\u00a0032" in text
    assert "Summa beviljat" in text and "11\u00a0510\u00a0937" in text


def test_no_subtotal_rows_without_groups():
    summary = grant_summary([], [2027])
    assert summary.groups == [] and summary.totals == {2027: 0}
