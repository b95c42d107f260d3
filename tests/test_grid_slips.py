"""Number slips in the budget grid: a suspicious amount is asked about before it is saved (one cell, and a
pasted block), and the answer saves the suggested or the typed reading. The rule itself is tested in
tests/test_slips.py."""

from decimal import Decimal

import pytest
from django.urls import reverse

from budgets import services
from budgets.models import BudgetAmount, BudgetGroup, BudgetLine
from plans.models import Plan, PlanEvent
from tests.test_budget_grid import (
    HTMX,
    NBSP,
    amount_of,
    build_plan,
    cell_url,
    column_of,
    contributions_url,
    line_named,
    version_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(association):
    """A plan kept in kronor: Förbundschef holds 100 000 kr in 2027 and 2028."""
    return build_plan(association)


@pytest.fixture
def tkr_plan(association):
    """A plan kept in tkr: Förbundschef holds 100 000 kr (100 tkr) in 2027 and 2028."""
    return build_plan(association, unit=Plan.Unit.TKR, decimals=1)


def chief_cell(plan):
    return line_named(plan, "Förbundschef"), column_of(plan, 2027)


def post(client, plan, line, column, **data):
    data.setdefault("version", str(version_of(line, column)))
    return client.post(cell_url(plan, line, column), data, **HTMX)


# --- One cell ---------------------------------------------------------------------------------------


def test_kronor_typed_in_a_tkr_plan_are_asked_about_and_nothing_is_saved(client, tkr_plan, chief):
    client.force_login(chief)
    line, column = chief_cell(tkr_plan)
    response = post(client, tkr_plan, line, column, amount="1 258 500")
    assert response.status_code == 200
    text = response.text
    assert text.lstrip().startswith('<td class="grid-cell"')
    assert f"Menade du 1{NBSP}258,5{NBSP}tkr?" in text
    assert 'value="1 258 500"' in text  # the typed text is kept
    assert 'name="asked" value="1 258 500"' in text
    assert f'name="suggested" value="1{NBSP}258,5"' in text
    assert 'name="confirm" value="suggested"' in text and 'name="confirm" value="typed"' in text
    assert "data-slip-cancel" in text
    assert f'aria-describedby="cell-{line.pk}-{column.pk}-message"' in text
    status = text[text.index('id="budget-grid-status"') :]
    assert "Inte sparat ännu: Menade du" in status  # announced: after Tab the focus has moved on
    assert 'id="total-costs"' not in text  # nothing changed, nothing follows
    assert amount_of(line, column) == 100000 and version_of(line, column) == 1
    assert not PlanEvent.objects.filter(plan=tkr_plan).exists()


def test_confirming_the_suggestion_saves_it(client, tkr_plan, chief):
    client.force_login(chief)
    line, column = chief_cell(tkr_plan)
    response = post(
        client,
        tkr_plan,
        line,
        column,
        amount="1 258 500",
        asked="1 258 500",
        suggested="1 258,5",
        confirm="suggested",
    )
    assert response.status_code == 200
    assert amount_of(line, column) == 1258500
    assert f'value="1{NBSP}258,5"' in response.text and "Sparat." in response.text
    assert "Menade du" not in response.text


def test_confirming_the_typed_amount_saves_it_as_typed(client, tkr_plan, chief):
    client.force_login(chief)
    line, column = chief_cell(tkr_plan)
    response = post(client, tkr_plan, line, column, amount="1 258 500", asked="1 258 500", confirm="typed")
    assert response.status_code == 200
    assert amount_of(line, column) == 1258500000
    assert PlanEvent.objects.filter(plan=tkr_plan).count() == 1


def test_taking_a_suggestion_where_there_was_none_saves_the_typed_amount(client, plan, chief):
    """A question without a suggestion offers the typed amount only; a post claiming the suggestion
    without one never empties the cell."""
    client.force_login(chief)
    line, column = chief_cell(plan)
    response = post(
        client, plan, line, column, amount="900 000 000 000", asked="900 000 000 000", confirm="suggested"
    )
    assert response.status_code == 200 and amount_of(line, column) == 900_000_000_000


def test_an_answer_to_another_text_is_no_answer(client, tkr_plan, chief):
    """The user changed the amount after the question (or pressed Enter without JavaScript, which takes the
    first button): the new text is read afresh, never saved on the old question's answer."""
    client.force_login(chief)
    line, column = chief_cell(tkr_plan)
    response = post(client, tkr_plan, line, column, amount="2 000 000", asked="1 258 500", confirm="typed")
    assert response.status_code == 200 and "Menade du 2" in response.text
    assert amount_of(line, column) == 100000
    response = post(
        client,
        tkr_plan,
        line,
        column,
        amount="150",
        asked="1 258 500",
        suggested="1 258,5",
        confirm="suggested",
    )
    assert response.status_code == 200 and amount_of(line, column) == 150000


def test_an_amount_100_times_its_row_is_asked_about_in_a_kronor_plan(client, plan, chief):
    client.force_login(chief)
    line, column = chief_cell(plan)  # 100 000 kr in 2027 and in 2028
    response = post(client, plan, line, column, amount="125 000 000")
    assert response.status_code == 200
    assert f"Menade du 125{NBSP}000{NBSP}kr?" in response.text
    assert f"raden (100{NBSP}000{NBSP}kr)" in response.text
    assert amount_of(line, column) == 100000


def test_a_line_without_amounts_is_measured_against_its_group_in_that_column(client, association, chief):
    plan = build_plan(association, lines=2)  # Förbundschef 100 000, Kostnad 1 200 000 per year
    client.force_login(chief)
    line = BudgetLine.objects.create(group=line_named(plan, "Förbundschef").group, name="Lokaler", position=9)
    column = column_of(plan, 2027)
    response = post(client, plan, line, column, amount="30 000 000")
    assert response.status_code == 200
    assert f"gruppen samma år (200{NBSP}000{NBSP}kr)" in response.text
    assert amount_of(line, column) is None
    assert post(client, plan, line, column, amount="30 000").status_code == 200
    assert amount_of(line, column) == 30000


@pytest.mark.parametrize(("section_kind", "words"), [("cost", "kostnaderna"), ("revenue", "intäkterna")])
def test_a_negative_line_amount_asks_whether_it_is_a_decrease(client, plan, chief, section_kind, words):
    client.force_login(chief)
    if section_kind == "cost":
        line = line_named(plan, "Förbundschef")
    else:
        group = BudgetGroup.objects.create(plan=plan, section="revenue", kind="financial", name="Ränta")
        line = BudgetLine.objects.create(group=group, name="Ränteintäkter")
    column = column_of(plan, 2027)
    response = post(client, plan, line, column, amount="-50")
    assert response.status_code == 200
    assert f"Menade du 50{NBSP}kr, eller −50{NBSP}kr som en minskning av {words}?" in response.text
    assert amount_of(line, column) == (100000 if section_kind == "cost" else None)
    post(client, plan, line, column, amount="-50", asked="-50", suggested="50", confirm="suggested")
    assert amount_of(line, column) == 50
    post(client, plan, line, column, amount="-50", asked="-50", confirm="typed")
    assert amount_of(line, column) == -50


def test_a_negative_cost_in_a_costs_negative_plan_is_the_cost_with_a_note(client, association, chief):
    plan = build_plan(association, unit=Plan.Unit.TKR, decimals=1, costs_negative=True)
    client.force_login(chief)
    line, column = chief_cell(plan)
    response = post(client, plan, line, column, amount="-120")
    assert response.status_code == 200
    assert amount_of(line, column) == 120000
    note = f"−120{NBSP}tkr lästes som kostnaden 120{NBSP}tkr"
    text = response.text
    assert f'<p class="grid-cell__note" id="cell-{line.pk}-{column.pk}-message">{note}' in text
    status = text[text.index('id="budget-grid-status"') :]
    assert note in status and "Sparat." in status


def test_the_members_total_is_asked_about_too(client, tkr_plan, chief):
    client.force_login(chief)
    column = column_of(tkr_plan, 2027)  # every column: 2 000 000 kr (2 000 tkr)
    response = client.post(
        contributions_url(tkr_plan, column), {"amount": "2 000 000", "version": "1"}, **HTMX
    )
    assert response.status_code == 200
    assert f"Menade du 2{NBSP}000{NBSP}tkr?" in response.text
    column.refresh_from_db()
    assert column.contributions_total.amount == 2000000 and column.version == 1


def test_bad_input_is_still_a_swedish_error_in_the_plans_unit(client, tkr_plan, chief):
    client.force_login(chief)
    line, column = chief_cell(tkr_plan)
    response = post(client, tkr_plan, line, column, amount="tolv")
    assert response.status_code == 422
    assert "Skriv ett belopp i tusental kronor med siffror, till exempel 1 258,5." in response.text
    assert "till exempel 1 258 500" not in response.text
    # A suggestion posted with an answer is read like any amount.
    response = post(
        client,
        tkr_plan,
        line,
        column,
        amount="1 258 500",
        asked="1 258 500",
        suggested="x",
        confirm="suggested",
    )
    assert response.status_code == 422 and amount_of(line, column) == 100000


def test_a_locked_plan_refuses_the_question_and_the_answer(client, association, chief):
    plan = build_plan(association, unit=Plan.Unit.TKR, state=Plan.State.ADOPTED)
    client.force_login(chief)
    line, column = chief_cell(plan)
    for data in ({}, {"asked": "1 258 500", "confirm": "typed"}):
        assert post(client, plan, line, column, amount="1 258 500", **data).status_code == 403
    assert amount_of(line, column) == 100000


def test_without_javascript_the_page_asks_and_the_buttons_answer(client, tkr_plan, chief):
    client.force_login(chief)
    line, column = chief_cell(tkr_plan)
    url = cell_url(tkr_plan, line, column)
    response = client.post(url, {"amount": "1 258 500", "version": "1"})
    assert response.status_code == 200 and "<html" in response.text and "Menade du" in response.text
    assert amount_of(line, column) == 100000
    response = client.post(
        url, {"amount": "1 258 500", "version": "1", "asked": "1 258 500", "confirm": "typed"}
    )
    assert response.status_code == 302 and amount_of(line, column) == 1258500000


def test_cancelling_shows_the_cell_as_it_is_saved(client, tkr_plan, chief):
    client.force_login(chief)
    line, column = chief_cell(tkr_plan)
    post(client, tkr_plan, line, column, amount="1 258 500")
    response = client.get(cell_url(tkr_plan, line, column), **HTMX)
    assert response.status_code == 200 and 'value="100"' in response.text and "Menade du" not in response.text


def test_an_answer_to_a_stale_cell_is_a_conflict(client, tkr_plan, chief):
    client.force_login(chief)
    line, column = chief_cell(tkr_plan)
    services.budget_cell_update(line=line, column=column, amount=Decimal(90000), expected_version=1, by=chief)
    response = post(
        client, tkr_plan, line, column, amount="1 258 500", asked="1 258 500", confirm="typed", version="1"
    )
    assert response.status_code == 409 and amount_of(line, column) == 90000


# --- A pasted block ---------------------------------------------------------------------------------


def paste_url(plan):
    return reverse("budget_cells_paste", kwargs={"association": plan.association.slug, "pk": plan.pk})


def block(plan, rows: dict, **extra) -> dict:
    """The post of a pasted block: {(line name, year): text}."""
    data = {"cell": [], **extra}
    for (name, year), text in rows.items():
        line, column = line_named(plan, name), column_of(plan, year)
        key = f"cell-{line.pk}-{column.pk}"
        data["cell"].append(key)
        data[f"amount-{key}"] = text
        data[f"version-{key}"] = str(version_of(line, column))
    return data


@pytest.fixture
def two_lines(association):
    """tkr: Förbundschef 100 tkr and Kostnad 1 200 tkr in 2027 and 2028."""
    return build_plan(association, lines=2, unit=Plan.Unit.TKR, decimals=1)


def test_a_pasted_block_is_saved_at_once(client, two_lines, chief):
    client.force_login(chief)
    data = block(
        two_lines,
        {
            ("Förbundschef", 2027): "110",
            ("Förbundschef", 2028): "120",
            ("Kostnad 1", 2027): "210",
            ("Kostnad 1", 2028): "",
        },
        skipped="2",
    )
    response = client.post(paste_url(two_lines), data, **HTMX)
    assert response.status_code == 200
    assert 'id="budget-editor"' in response.text
    assert "Inklistrat: 4 celler ändrades. 2 värden hamnade utanför tabellen" in response.text
    chief_line, other = line_named(two_lines, "Förbundschef"), line_named(two_lines, "Kostnad 1")
    assert amount_of(chief_line, column_of(two_lines, 2027)) == 110000
    assert amount_of(chief_line, column_of(two_lines, 2028)) == 120000
    assert amount_of(other, column_of(two_lines, 2027)) == 210000
    assert amount_of(other, column_of(two_lines, 2028)) is None
    assert PlanEvent.objects.filter(plan=two_lines).count() == 4


def test_a_pasted_block_with_slips_asks_once_listing_them_and_saves_nothing(client, two_lines, chief):
    client.force_login(chief)
    data = block(
        two_lines,
        {("Förbundschef", 2027): "110", ("Förbundschef", 2028): "1 258 500", ("Kostnad 1", 2027): "-50"},
    )
    response = client.post(paste_url(two_lines), data, **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#grid-paste" and response["HX-Reswap"] == "innerHTML"
    text = response.text
    assert "Stämmer de inklistrade beloppen?" in text and "2 belopp ser ut att vara fel" in text
    listed = text[text.index("<tbody>") : text.index("</tbody>")]
    assert listed.count("<tr>") == 2
    assert "Förbundschef" in listed and "Plan 2028" in listed
    assert f"1{NBSP}258{NBSP}500{NBSP}tkr" in listed and f"1{NBSP}258,5{NBSP}tkr" in listed
    assert "Kostnad 1" in listed and f"−50{NBSP}tkr" in listed
    assert 'name="confirm" value="suggested"' in text and 'name="confirm" value="typed"' in text
    assert text.count('name="cell"') == 3  # the whole block goes back with the answer
    assert (
        not BudgetAmount.objects.filter(line__group__plan=two_lines)
        .exclude(amount=100000)
        .exclude(amount=200000)
        .exists()
    )
    assert not PlanEvent.objects.filter(plan=two_lines).exists()


def test_answering_a_pasted_blocks_question(client, two_lines, chief):
    client.force_login(chief)
    rows = {("Förbundschef", 2027): "110", ("Förbundschef", 2028): "1 258 500", ("Kostnad 1", 2027): "-50"}
    chief_line, other = line_named(two_lines, "Förbundschef"), line_named(two_lines, "Kostnad 1")
    suggested = {
        f"suggested-cell-{chief_line.pk}-{column_of(two_lines, 2028).pk}": "1 258,5",
        f"suggested-cell-{other.pk}-{column_of(two_lines, 2027).pk}": "50",
    }
    response = client.post(
        paste_url(two_lines), block(two_lines, rows, confirm="suggested", **suggested), **HTMX
    )
    assert response.status_code == 200 and "Inklistrat: 3 celler ändrades." in response.text
    assert amount_of(chief_line, column_of(two_lines, 2028)) == 1258500
    assert amount_of(other, column_of(two_lines, 2027)) == 50000
    response = client.post(paste_url(two_lines), block(two_lines, rows, confirm="typed"), **HTMX)
    assert response.status_code == 200
    assert amount_of(chief_line, column_of(two_lines, 2028)) == 1258500000
    assert amount_of(other, column_of(two_lines, 2027)) == -50000


def test_a_pasted_block_with_bad_input_saves_nothing(client, two_lines, chief):
    client.force_login(chief)
    data = block(two_lines, {("Förbundschef", 2027): "110", ("Kostnad 1", 2027): "tolv"})
    response = client.post(paste_url(two_lines), data, **HTMX)
    assert response.status_code == 422
    assert "Inget klistrades in: ett värde är inget belopp." in response.text
    assert 'value="tolv"' in response.text and 'aria-invalid="true"' in response.text
    assert amount_of(line_named(two_lines, "Förbundschef"), column_of(two_lines, 2027)) == 100000


def test_a_pasted_block_with_a_stale_cell_saves_nothing(client, two_lines, chief):
    client.force_login(chief)
    data = block(two_lines, {("Förbundschef", 2027): "110", ("Kostnad 1", 2027): "210"})
    other = line_named(two_lines, "Kostnad 1")
    services.budget_cell_update(
        line=other, column=column_of(two_lines, 2027), amount=Decimal(5000), expected_version=1, by=chief
    )
    response = client.post(paste_url(two_lines), data, **HTMX)
    assert response.status_code == 409 and "Inget klistrades in" in response.text
    assert amount_of(line_named(two_lines, "Förbundschef"), column_of(two_lines, 2027)) == 100000


def test_a_costs_negative_plan_reads_a_pasted_negative_cost_as_the_cost(client, association, chief):
    plan = build_plan(association, lines=2, unit=Plan.Unit.TKR, costs_negative=True)
    client.force_login(chief)
    response = client.post(
        paste_url(plan), block(plan, {("Förbundschef", 2027): "−110", ("Kostnad 1", 2027): "-210"}), **HTMX
    )
    assert response.status_code == 200
    assert amount_of(line_named(plan, "Förbundschef"), column_of(plan, 2027)) == 110000
    assert f"−210{NBSP}tkr lästes som kostnaden 210{NBSP}tkr" in response.text


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"cell": ["rad-1-2"]},
        {"cell": ["cell-1-2", "cell-1-2"]},
    ],
)
def test_a_malformed_block_is_a_bad_request(client, two_lines, chief, data):
    client.force_login(chief)
    assert client.post(paste_url(two_lines), data, **HTMX).status_code == 400


def test_a_block_naming_another_plans_cell_is_a_404(client, association, two_lines, chief):
    other = build_plan(association, first_year=2030)
    client.force_login(chief)
    line = line_named(other, "Förbundschef")
    key = f"cell-{line.pk}-{column_of(two_lines, 2027).pk}"
    data = {"cell": [key], f"amount-{key}": "1", f"version-{key}": "1"}
    assert client.post(paste_url(two_lines), data, **HTMX).status_code == 404
    assert amount_of(line, column_of(other, 2030)) == 100000


def test_a_locked_plan_refuses_a_pasted_block(client, association, chief):
    plan = build_plan(association, state=Plan.State.ADOPTED)
    client.force_login(chief)
    data = block(plan, {("Förbundschef", 2027): "110"}, confirm="typed")
    assert client.post(paste_url(plan), data, **HTMX).status_code == 403
    assert amount_of(line_named(plan, "Förbundschef"), column_of(plan, 2027)) == 100000


def test_the_board_may_not_paste(client, two_lines, members):
    client.force_login(members["chair"])
    data = block(two_lines, {("Förbundschef", 2027): "110"})
    assert client.post(paste_url(two_lines), data, **HTMX).status_code == 403
