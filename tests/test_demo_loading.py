"""Loading the demo into an empty database: the command, a reset, and files the loader refuses.

Apart from tests/test_demo.py, whose tests share one loaded demo (`built_once_for_the_group`): these
start from an empty database.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from budgets.models import StatedFigure
from finsam.models import Association
from finsam.site.demo.loader import demo_logins, load_association, load_demo, logins_table
from finsam.site.demo.reading import DATA_DIR, DemoDataError, read_demo_file
from plans.models import Plan


def demo_data(slug: str) -> dict:
    return read_demo_file(DATA_DIR / f"{slug}.json")


@pytest.mark.django_db
def test_reset_also_works_on_an_empty_database(db):
    reset = load_demo(reset=True)
    assert {report.status for report in reset.reports} == {"skapad"}
    assert Association.objects.count() == 3


@pytest.mark.django_db
def test_a_broken_file_loads_nothing(db):
    data = json.loads(json.dumps(demo_data("ostra-varmland")))
    data["plan"]["budget"]["stated"].append(
        {"label": "Okänd", "target": "intervention", "intervention": "Finns inte", "amounts": {"2022": "1"}}
    )
    with pytest.raises(DemoDataError, match="Finns inte"):
        load_association(data)
    assert not Association.objects.exists()


@pytest.mark.django_db
def test_data_the_models_refuse_is_reported_as_a_demo_data_error(db):
    data = json.loads(json.dumps(demo_data("ostra-varmland")))
    data["plan"]["chapters"][0]["level"] = 3
    with pytest.raises(DemoDataError, match="ostra-varmland"):
        load_association(data)
    assert not Association.objects.exists()


@pytest.mark.django_db
def test_the_command_loads_reports_and_prints_the_logins(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    first = out.getvalue()
    assert "Samordningsförbundet i Örnsköldsvik (ornskoldsvik): skapad" in first
    assert "Superanvändaren admin skapad." in first
    assert logins_table(demo_logins()) in first
    # Örnsköldsvik's 2020 plan was revised during its year (invented, finsam/site/demo/data/followup), and
    # next year's plan starts from the revised budget.
    assert "reviderad budget fastställd 2020-06-11 §23" in first
    documents = Plan.objects.filter(association__slug="ornskoldsvik")
    plans = documents.filter(kind=Plan.Kind.PLAN).order_by("first_year", "revision")
    assert [(plan.first_year, plan.revision, plan.state) for plan in plans] == [
        (2020, 1, Plan.State.SUPERSEDED),
        (2020, 2, Plan.State.ADOPTED),
        (2021, 1, Plan.State.IN_REVIEW),
    ]
    assert plans[2].rolled_over_from == plans[1] and plans[1].budget_only
    # The year's annual report, adopted, reports on the revised budget: the version in force at year end.
    (report,) = documents.filter(kind=Plan.Kind.ANNUAL_REPORT)
    assert report.state == Plan.State.ADOPTED and report.report_of == plans[1]
    assert "fastställd, med revision och ansvarsfrihet" in first

    out = StringIO()
    call_command("load_demo", stdout=out)
    assert first.count("skapad") > 0
    assert out.getvalue().count("finns redan") == 4  # three associations and the admin

    out = StringIO()
    call_command("load_demo", "--reset", stdout=out)
    assert out.getvalue().count("återställd") == 3


@pytest.mark.django_db
def test_a_stated_figure_can_be_loaded_as_the_documents_own_error(db):
    """FORMAT.md's `dismissed`: a year's deviation judged the document's own error, with its reason and
    whether the note prints; a year without a reason is refused and nothing is loaded."""
    data = json.loads(json.dumps(demo_data("ostra-varmland")))
    stated = data["plan"]["budget"]["stated"][0]
    year = next(iter(stated["amounts"]))
    stated["dismissed"] = {year: {"reason": " ", "print_note": True}}
    with pytest.raises(DemoDataError, match="motivering"):
        load_association(data)
    assert not Association.objects.exists()

    stated["dismissed"] = {year: {"reason": "Summeringsfel i det antagna dokumentet.", "print_note": True}}
    load_association(data)
    figure = StatedFigure.objects.get(label=stated["label"], column__year=int(year))
    assert (figure.dismissed_reason, figure.print_note) == ("Summeringsfel i det antagna dokumentet.", True)
    assert StatedFigure.objects.exclude(dismissed_reason="").count() == 1
