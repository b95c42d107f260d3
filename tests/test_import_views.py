"""The budget import page and the Excel download, for every kind of user."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from budgets.models import BudgetColumn, BudgetLine
from finsam.models import Membership
from plans.models import Plan, PlanEvent
from tests.factories import (
    AssociationFactory,
    BudgetAmountFactory,
    BudgetColumnFactory,
    BudgetGroupFactory,
    BudgetLineFactory,
    MembershipFactory,
)
from tests.test_importer import ORNSKOLDSVIK, ornskoldsvik  # noqa: F401 - the fixture is used by name

NBSP = "\u00a0"


def member(association, role):
    return MembershipFactory(association=association, role=role).user


def import_url(plan):
    return reverse("budget_import", kwargs={"association": plan.association.slug, "pk": plan.pk})


def export_url(plan):
    return reverse("budget_export", kwargs={"association": plan.association.slug, "pk": plan.pk})


@pytest.fixture
def plan(ornskoldsvik):  # noqa: F811
    """Örnsköldsvik's draft plan with an existing budget line, to show that a refusal keeps it."""
    column = BudgetColumnFactory(plan=ornskoldsvik, year=2020)
    line = BudgetLineFactory(group=BudgetGroupFactory(plan=ornskoldsvik, name="Befintlig"), name="Kvar")
    BudgetAmountFactory(line=line, column=column, amount=1000)
    return ornskoldsvik


@pytest.fixture
def chief(client, plan):
    client.force_login(member(plan.association, Membership.Role.CHIEF))
    return client


def budget_unchanged(plan):
    return list(BudgetLine.objects.filter(group__plan=plan).values_list("name", flat=True)) == ["Kvar"]


# --- who may import --------------------------------------------------------------------------------------


def test_the_chief_gets_the_import_form(chief, plan):
    response = chief.get(import_url(plan))
    assert response.status_code == 200
    assert 'name="text"' in response.text and 'type="file"' in response.text
    assert "Förhandsgranska" in response.text


@pytest.mark.parametrize("role", [Membership.Role.BOARD, Membership.Role.CHAIR])
def test_the_board_may_not_import(client, plan, role):
    client.force_login(member(plan.association, role))
    assert client.get(import_url(plan)).status_code == 403
    assert client.post(import_url(plan), {"text": ORNSKOLDSVIK, "action": "preview"}).status_code == 403
    assert budget_unchanged(plan)


def test_another_associations_chief_gets_404(client, plan):
    client.force_login(member(AssociationFactory(), Membership.Role.CHIEF))
    assert client.get(import_url(plan)).status_code == 404
    other = reverse("budget_import", kwargs={"association": "ornskoldsvik", "pk": plan.pk})
    assert client.post(other, {"text": ORNSKOLDSVIK, "action": "import", "version": 1}).status_code == 404
    assert budget_unchanged(plan)


def test_a_plan_of_another_association_is_404_under_ones_own(client, plan):
    own = AssociationFactory(slug="egen")
    client.force_login(member(own, Membership.Role.CHIEF))
    url = reverse("budget_import", kwargs={"association": "egen", "pk": plan.pk})
    assert client.get(url).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, plan):
    response = client.get(import_url(plan))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_locked_plan_cannot_be_imported_into(chief, plan):
    Plan.objects.filter(pk=plan.pk).update(state=Plan.State.ADOPTED, adopted_on=datetime.date(2019, 11, 27))
    assert chief.get(import_url(plan)).status_code == 403
    assert chief.post(import_url(plan), {"text": ORNSKOLDSVIK, "action": "preview"}).status_code == 403


# --- preview, then import ---------------------------------------------------------------------------------


def test_preview_shows_what_will_be_created_and_saves_nothing(chief, plan):
    response = chief.post(import_url(plan), {"text": ORNSKOLDSVIK, "action": "preview"})
    assert response.status_code == 200
    page = response.text.replace(NBSP, " ")
    assert "Förhandsgranskning" in page and "Inget är sparat ännu." in page
    assert "Kolumner: 3 (2020, 2021, 2022), grupper: 3, rader: 17, angivna summor: 18" in page
    assert "Uppdragsersättning förbundschef 100 %*" in page
    assert "−1 031,0" in page  # Summa administration as the plan will print it
    assert "Alla 18 angivna summor stämmer med finsams beräkning." in page
    assert "”Vidare Vy” motsvarar insatsen Vidare Vy" in page
    assert "ersätts helt" in page  # the existing budget will go
    assert f'name="version" value="{plan.version}"' in page
    assert 'name="action" value="import"' in page
    assert budget_unchanged(plan)
    assert not PlanEvent.objects.filter(plan=plan).exists()


def test_import_replaces_the_budget_and_shows_the_report(chief, plan):
    preview = chief.post(import_url(plan), {"text": ORNSKOLDSVIK, "action": "preview"})
    confirm_text = preview.context["table_text"]
    response = chief.post(
        import_url(plan),
        {"text": confirm_text, "unit": "tkr", "version": plan.version, "action": "import"},
    )
    assert response.status_code == 200
    assert "Budgeten importerades" in response.text
    assert list(BudgetColumn.objects.filter(plan=plan).values_list("year", flat=True)) == [2020, 2021, 2022]
    assert BudgetLine.objects.filter(group__plan=plan).count() == 17
    assert PlanEvent.objects.get(plan=plan).action == PlanEvent.Action.IMPORTED


def test_an_import_after_the_plan_changed_is_refused(chief, plan):
    response = chief.post(
        import_url(plan),
        {"text": ORNSKOLDSVIK, "version": plan.version - 0 + 5, "action": "import"},
    )
    assert response.status_code == 409
    assert "Planen har ändrats sedan förhandsgranskningen" in response.text
    assert "Parternas insats" in response.text  # the table is kept in the form
    assert budget_unchanged(plan)


def test_an_import_without_a_version_is_refused(chief, plan):
    response = chief.post(import_url(plan), {"text": ORNSKOLDSVIK, "action": "import"})
    assert response.status_code == 409
    assert budget_unchanged(plan)


def test_htmx_gets_the_region_and_an_announcement(chief, plan):
    response = chief.post(
        import_url(plan), {"text": ORNSKOLDSVIK, "action": "preview"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<div id="import-body">')
    assert 'hx-swap-oob="innerHTML:#messages"' in response.text
    assert response.headers["Vary"] == "HX-Request, Cookie" or "HX-Request" in response.headers["Vary"]


# --- broken input: a clear message, the input kept, nothing saved ----------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Tabellen är tom"),
        ("\t2020\t2021\nKansli\ttolv\t12\n", "”tolv” är inget belopp"),
        ("\t2020\t2021\nKansli\t1\t2\t3\n", "har 3 värden, men rubrikraden har bara 2 kolumner"),
        ("Kansli\t100\nHyra\t200\n", "Hittade ingen rubrikrad med år"),
    ],
)
def test_a_broken_table_is_refused_with_the_input_kept(chief, plan, text, message):
    response = chief.post(import_url(plan), {"text": text, "action": "preview"})
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    if text:
        assert text.split("\n")[1].split("\t")[0] in response.text  # the pasted table is still there
    assert budget_unchanged(plan)


def test_a_broken_table_is_refused_at_confirm_too(chief, plan):
    broken = ORNSKOLDSVIK.replace("-600\t-600\t-600", "-600\tsexhundra\t-600")
    response = chief.post(import_url(plan), {"text": broken, "version": plan.version, "action": "import"})
    assert response.status_code == 422
    assert "”sexhundra” är inget belopp" in response.text
    assert budget_unchanged(plan)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("budget.xlsx", b"", "Filen är tom"),
        ("budget.xlsx", "Det här är ingen arbetsbok".encode(), "heter .xlsx men är ingen Excel-arbetsbok"),
        ("budget.xlsx", b"x" * (10 * 1024 * 1024), "Filen är för stor (10,0 MB)"),
    ],
)
def test_a_broken_file_is_refused(chief, plan, name, data, message):
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    response = chief.post(import_url(plan), {"file": upload, "action": "preview"})
    assert response.status_code == 422
    assert message in response.text
    assert budget_unchanged(plan)


def test_a_paste_and_a_file_together_are_refused(chief, plan):
    upload = SimpleUploadedFile("budget.txt", ORNSKOLDSVIK.encode())
    response = chief.post(import_url(plan), {"text": ORNSKOLDSVIK, "file": upload, "action": "preview"})
    assert response.status_code == 422
    assert "inte båda" in response.text


def test_an_uploaded_workbook_is_previewed_and_imported_from_its_text(chief, plan):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Budget"
    for row in [
        ["Budget 2020, plan 2021 (tkr)"],
        [None, 2020, 2021],
        ["Intäkter"],
        ["Parternas insats", 5034, 5036],
        ["Kostnader"],
        ["Kansli", -5034, -5036],
    ]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("budget.xlsx", buffer.getvalue())
    preview = chief.post(import_url(plan), {"file": upload, "action": "preview"})
    assert preview.status_code == 200
    assert "budget.xlsx, bladet ”Budget”" in preview.text
    text = preview.context["table_text"]
    assert "Parternas insats\t5034\t5036" in text
    assert budget_unchanged(plan)
    response = chief.post(
        import_url(plan),
        {"text": text, "unit": "tkr", "source": "budget.xlsx", "version": plan.version, "action": "import"},
    )
    assert response.status_code == 200
    assert BudgetColumn.objects.get(plan=plan, year=2021).contributions_total.amount == 5036000


# --- export -----------------------------------------------------------------------------------------------


def test_the_chief_downloads_the_budget_as_excel(chief, plan):
    response = chief.get(export_url(plan))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="budget-ornskoldsvik-2020.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert any(cell.value == "Kvar" for cell in sheet["A"])


@pytest.mark.parametrize("role", [Membership.Role.BOARD, Membership.Role.CHAIR])
def test_the_board_may_download_a_draft(client, plan, role):
    client.force_login(member(plan.association, role))
    assert client.get(export_url(plan)).status_code == 200


def test_a_reader_downloads_adopted_plans_only(client, plan):
    client.force_login(member(plan.association, Membership.Role.READER))
    assert client.get(export_url(plan)).status_code == 404  # a draft is not visible to readers
    Plan.objects.filter(pk=plan.pk).update(state=Plan.State.ADOPTED, adopted_on=datetime.date(2019, 11, 27))
    assert client.get(export_url(plan)).status_code == 200


def test_export_is_404_for_outsiders_and_needs_a_login(client, plan):
    response = client.get(export_url(plan))
    assert response.status_code == 302
    client.force_login(member(AssociationFactory(), Membership.Role.CHIEF))
    assert client.get(export_url(plan)).status_code == 404


# --- links on the plan page -------------------------------------------------------------------------------


def test_the_plan_page_links_import_for_the_chief_and_export_for_everyone(client, plan):
    client.force_login(member(plan.association, Membership.Role.CHIEF))
    page = client.get(plan.get_absolute_url()).text
    assert import_url(plan) in page and export_url(plan) in page
    client.force_login(member(plan.association, Membership.Role.BOARD))
    page = client.get(plan.get_absolute_url()).text
    assert import_url(plan) not in page and export_url(plan) in page


def test_the_preview_lists_what_follows_from_an_error_apart_from_the_error(chief, plan):
    wrong = ORNSKOLDSVIK.replace("Summa administration\t-1031", "Summa administration\t-1041").replace(
        "Summa totala kostnader\t-5034", "Summa totala kostnader\t-5044"
    )
    response = chief.post(import_url(plan), {"text": wrong, "action": "preview"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 avvikelse" in page  # the subtotal, at its own row
    assert "Följer av avvikelserna ovan" in page
    assert "Summa totala kostnader 2020: skillnad" in page and "följer av ”Summa administration”" in page


# --- a table for some of the plan's columns ----------------------------------------------------------

ONE_YEAR = (
    "\t2028\nIntäkter\t\nMedlemsavgifter\t900 000\nKostnader\t\nBefintlig\t\nKvar\t400 000\nNy rad\t100 000\n"
)


def test_a_table_for_one_year_fills_that_column_and_keeps_the_others(chief, plan):
    """One table per year: the second year's table adds its column; the first year's stays as it was,
    and rows of the same name join the plan's lines."""
    kept = BudgetColumn.objects.get(plan=plan, year=2020)
    data = {"text": ONE_YEAR, "unit": "kr", "only_columns": "on"}
    preview = chief.post(import_url(plan), {**data, "action": "preview"})
    assert preview.status_code == 200
    assert 'name="only_columns" value="on"' in preview.text
    assert budget_unchanged(plan)
    plan.refresh_from_db()
    response = chief.post(import_url(plan), {**data, "version": plan.version, "action": "import"})
    assert response.status_code == 200, response.text
    years = set(plan.budget_columns.values_list("year", flat=True))
    assert {2020, 2028} <= years
    assert BudgetColumn.objects.filter(pk=kept.pk).exists()
    assert kept.amounts.get().amount.amount == 1000  # the first year's amount is untouched
    names = list(BudgetLine.objects.filter(group__plan=plan).values_list("name", flat=True))
    assert names.count("Kvar") == 1 and "Ny rad" in names
    kvar = BudgetLine.objects.get(group__plan=plan, name="Kvar")
    assert {a.column.year: a.amount.amount for a in kvar.amounts.select_related("column")} == {
        2020: 1000,
        2028: 400000,
    }


def test_the_grid_adds_and_removes_a_column(chief, plan):
    grid = reverse("budget_column_add", kwargs={"association": plan.association.slug, "pk": plan.pk})
    bad = chief.post(grid, {"year": "19x", "kind": "plan"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "fyra siffror" in bad.text and 'value="19x"' in bad.text
    outside = chief.post(grid, {"year": "1999", "kind": "plan"}, headers={"HX-Request": "true"})
    assert outside.status_code == 422
    year = plan.first_year + 1
    assert chief.post(grid, {"year": str(year), "kind": "plan"}).status_code == 302
    column = BudgetColumn.objects.get(plan=plan, year=year)
    taken = chief.post(grid, {"year": str(year), "kind": "plan"}, headers={"HX-Request": "true"})
    assert taken.status_code == 422 and "redan en kolumn" in taken.text
    remove = reverse(
        "budget_column_remove",
        kwargs={"association": plan.association.slug, "pk": plan.pk, "column_id": column.pk},
    )
    assert chief.post(remove, headers={"HX-Request": "true"}).status_code == 422  # not confirmed
    assert BudgetColumn.objects.filter(pk=column.pk).exists()
    assert chief.post(remove, {"confirm": "1"}).status_code == 302
    assert not BudgetColumn.objects.filter(pk=column.pk).exists()
    assert plan.events.filter(action=PlanEvent.Action.DELETED).exists()


# --- the chief's judgement of a stated figure survives a re-import -------------------------------------


def test_a_dismissed_deviation_stays_dismissed_when_the_table_is_imported_again(chief, plan):
    """The same table imported again (here with the sum row's label in other case and spacing) keeps the
    chief's "the document's own error" with its reason and note; other figures and years are not judged."""
    wrong = ORNSKOLDSVIK.replace("Summa administration\t-1031", "Summa administration\t-1041")

    def import_table(text):
        plan.refresh_from_db()
        data = {"text": text, "unit": "tkr", "version": plan.version, "action": "import"}
        assert chief.post(import_url(plan), data).status_code == 200

    import_table(wrong)
    figure = plan.stated_figures.get(label="Summa administration", column__year=2020)
    figure.dismissed_reason, figure.print_note = "Summeringsfel i det antagna dokumentet.", True
    figure.save()

    again = wrong.replace("Summa administration\t", "SUMMA  administration:\t")
    preview = chief.post(import_url(plan), {"text": again, "unit": "tkr", "action": "preview"})
    assert "Markerad som dokumentets eget fel: Summeringsfel i det antagna dokumentet." in preview.text
    import_table(again)
    judged = plan.stated_figures.exclude(dismissed_reason="")
    assert [(f.label, f.column.year, f.dismissed_reason, f.print_note) for f in judged] == [
        ("SUMMA administration:", 2020, "Summeringsfel i det antagna dokumentet.", True)
    ]
    assert not plan.stated_figures.filter(pk=figure.pk).exists()  # a new figure, judged as the old one
