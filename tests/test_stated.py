"""Stated figures are the user's: each deviation names the row, the level and the amounts; the chief
corrects, removes or dismisses a figure (budgets.services, budgets/views/stated.py), and a dismissed one
is information and may print as a note under the document's budget table."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from budgets import services
from budgets.checks import plan_checks
from budgets.models import StatedFigure
from plans.checks import finding_links
from plans.diff import snapshot_diff
from plans.document import document_view, live_document
from plans.gateway import PlanLocked
from plans.models import Plan, PlanEvent
from plans.snapshots import snapshot_content
from tests.factories import PlanFactory
from tests.security.payloads import PAYLOADS

pytestmark = pytest.mark.django_db
D = Decimal
NBSP = "\u00a0"
HTMX = {"HTTP_HX_REQUEST": "true"}
# A payload's tag that came out as markup (escaped, `<` is `&lt;` and nothing matches).
UNSAFE = re.compile(r"<(script|img|svg|iframe)\b[^>]*(alert|evil|javascript)|<script[^>]*>\s*alert", re.I)


def plain(text: str) -> str:
    return text.replace(NBSP, " ")


@pytest.fixture
def plan(small_plan):
    """small_plan in kronor: Administration 30 000 kr in 2027 (Förbundschef 10 000, Lokaler 20 000),
    Steget vidare granted 100 000 kr, so costs 130 000 kr; contributions 4 000 000 kr."""
    Plan.objects.filter(pk=small_plan.pk).update(unit=Plan.Unit.KR)
    return Plan.objects.select_related("association").get(pk=small_plan.pk)


def column(plan, year=2027):
    return plan.budget_columns.get(year=year)


def add_figure(plan, label, target, amount, **links):
    return StatedFigure.objects.create(
        plan=plan, column=column(plan), label=label, target=target, amount=D(amount), **links
    )


def admin_figure(plan, amount=31000):
    group = plan.budget_groups.get(name="Administration")
    return add_figure(plan, "Summa administration", "group", amount, group=group, reference=group.name)


def stated(findings):
    return [f for f in findings if f.code in ("stated_differs", "stated_dismissed")]


# --- The messages -----------------------------------------------------------------------------------


def test_a_deviation_names_the_row_the_level_and_the_three_amounts(plan):
    figure = admin_figure(plan)
    (finding,) = stated(plan_checks(plan))
    assert (finding.severity, finding.target_kind, finding.target_id) == ("warning", "stated", figure.pk)
    assert plain(finding.message) == (
        "Raden ”Summa administration” 2027, jämförd med delsumma för gruppen Administration: dokumentet "
        "anger 31 000 kr, men det beräknade beloppet är 30 000 kr, en skillnad på +1 000 kr."
    )


@pytest.mark.parametrize(
    ("target", "amount", "level", "computed", "difference"),
    [
        ("costs", 120000, "summa kostnader", "130 000 kr", "−10 000 kr"),
        ("result", 3800000, "resultat", "3 870 000 kr", "−70 000 kr"),
        ("revenue", 4000001, "summa intäkter", "4 000 000 kr", "+1 kr"),
    ],
)
def test_totals_are_named_by_their_level(plan, target, amount, level, computed, difference):
    add_figure(plan, "Totalt", target, amount)
    (finding,) = stated(plan_checks(plan))
    assert f"jämförd med {level}:" in plain(finding.message)
    assert f"det beräknade beloppet är {computed}, en skillnad på {difference}." in plain(finding.message)


def test_a_tkr_plan_prints_the_amounts_as_its_table_does(plan):
    Plan.objects.filter(pk=plan.pk).update(unit=Plan.Unit.TKR, decimals=1)
    plan.refresh_from_db()
    admin_figure(plan, 31000)
    (finding,) = stated(plan_checks(plan))
    assert "dokumentet anger 31,0 tkr, men det beräknade beloppet är 30,0 tkr, en skillnad på +1,0 tkr." in (
        plain(finding.message)
    )


def test_a_figure_without_a_computed_counterpart_says_so(plan):
    add_figure(plan, "Summa okänt", "group", 5000, reference="Finns inte")
    (finding,) = stated(plan_checks(plan))
    assert plain(finding.message) == (
        "Raden ”Summa okänt” 2027, jämförd med delsumma för gruppen Finns inte: dokumentet anger 5 000 kr, "
        "men budgeten har inget motsvarande belopp."
    )


def test_a_dismissed_deviation_is_information_with_its_reason(plan, chief):
    figure = admin_figure(plan)
    services.stated_figure_dismiss(figure=figure, reason="Summeringsfel i Word.", print_note=False, by=chief)
    (finding,) = stated(plan_checks(plan))
    assert (finding.severity, finding.code) == ("info", "stated_dismissed")
    assert plain(finding.message).endswith("Markerad som dokumentets eget fel: ”Summeringsfel i Word.”")
    assert "en skillnad på +1 000 kr" in plain(finding.message)
    links = [label for label, _url in finding_links(plan, finding)]
    assert links == ["Till angivna summor", "Till budgeten"]


def test_a_figure_that_agrees_is_no_finding_even_when_dismissed(plan, chief):
    figure = admin_figure(plan, 30000)
    services.stated_figure_dismiss(figure=figure, reason="Fel i källan.", print_note=True, by=chief)
    assert stated(plan_checks(plan)) == []


# --- The services -------------------------------------------------------------------------------------


def test_correcting_a_figure_saves_the_amount_and_records_it(plan, chief):
    figure = admin_figure(plan)
    services.stated_figure_correct(figure=figure, amount=D(30000), by=chief)
    figure.refresh_from_db()
    assert figure.amount.amount == D(30000)
    assert stated(plan_checks(plan)) == []
    event = PlanEvent.objects.filter(plan=plan).latest("id")
    assert plain(event.summary) == "Angiven summa Summa administration 2027: 31 000 kr → 30 000 kr"


def test_a_dismissal_needs_a_reason_and_saves_nothing_without_one(plan, chief):
    figure = admin_figure(plan)
    with pytest.raises(Exception) as refused:
        services.stated_figure_dismiss(figure=figure, reason="   ", print_note=True, by=chief)
    assert "Skriv varför" in str(refused.value)
    figure.refresh_from_db()
    assert (figure.dismissed_reason, figure.print_note) == ("", False)
    assert not PlanEvent.objects.filter(plan=plan).exists()


def test_restoring_makes_it_a_warning_again(plan, chief):
    figure = admin_figure(plan)
    services.stated_figure_dismiss(figure=figure, reason="Fel i källan.", print_note=True, by=chief)
    services.stated_figure_restore(figure=figure, by=chief)
    figure.refresh_from_db()
    assert (figure.dismissed_reason, figure.print_note) == ("", False)
    assert [f.severity for f in stated(plan_checks(plan))] == ["warning"]


def test_a_locked_plan_refuses_every_change(plan, chief):
    figure = admin_figure(plan)
    Plan.objects.filter(pk=plan.pk).update(state=Plan.State.IN_REVIEW)
    plan.refresh_from_db()
    figure.plan = plan
    for change in (
        lambda: services.stated_figure_correct(figure=figure, amount=D(1), by=chief),
        lambda: services.stated_figure_dismiss(figure=figure, reason="x", print_note=False, by=chief),
        lambda: services.stated_figure_remove(figure=figure, by=chief),
    ):
        with pytest.raises(PlanLocked):
            change()
    figure.refresh_from_db()
    assert figure.amount.amount == D(31000) and figure.dismissed_reason == ""


# --- The printed notes --------------------------------------------------------------------------------


def test_a_dismissed_deviation_chosen_to_print_is_frozen_and_printed_under_the_table(plan, chief):
    figure = admin_figure(plan)
    services.stated_figure_dismiss(
        figure=figure, reason="Summeringsfel i originalet.", print_note=False, by=chief
    )
    assert "notes" not in snapshot_content(plan)["budget"]
    services.stated_figure_dismiss(
        figure=figure, reason="Summeringsfel i originalet.", print_note=True, by=chief
    )
    content = snapshot_content(plan)
    assert [plain(note) for note in content["budget"]["notes"]] == [
        "Summa administration 2027 (delsumma för gruppen Administration): dokumentet angav 31 000 kr, "
        "budgeten räknar fram 30 000 kr. Summeringsfel i originalet."
    ]
    view = live_document(plan)
    assert view.budget_notes == content["budget"]["notes"]


def test_a_version_frozen_without_notes_shows_none(plan):
    content = snapshot_content(plan)
    assert "notes" not in content["budget"]
    assert document_view(content, plan=plan).budget_notes == []


# --- The views ------------------------------------------------------------------------------------------


def page_url(plan):
    return reverse("plan_stated_figures", args=[plan.association.slug, plan.pk])


def figure_url(plan, figure):
    return reverse("stated_figure", args=[plan.association.slug, plan.pk, figure.pk])


def test_the_page_shows_each_figure_with_its_comparison(plan, chief_client):
    admin_figure(plan)
    add_figure(plan, "Summa kostnader", "costs", 130000)
    response = chief_client.get(page_url(plan))
    assert response.status_code == 200
    text = plain(response.content.decode())
    assert "Jämförs med delsumma för gruppen Administration." in text
    assert "+1 000 kr" in text and "Avviker" in text and "Stämmer" in text
    assert "2 angivna summor." in text and "1 avviker från budgeten." in text


def test_the_grid_and_the_checks_link_to_the_page(plan, chief_client):
    figure = admin_figure(plan)
    response = chief_client.get(reverse("plan_budget_grid", args=[plan.association.slug, plan.pk]))
    assert page_url(plan) in response.content.decode()
    assert f"{page_url(plan)}#angiven-{figure.pk}" in response.content.decode()


@pytest.mark.parametrize("htmx", [False, True])
def test_the_chief_corrects_a_figure(plan, chief_client, htmx):
    figure = admin_figure(plan)
    response = chief_client.post(
        figure_url(plan, figure), {"action": "correct", "amount": "30 000"}, **(HTMX if htmx else {})
    )
    figure.refresh_from_db()
    assert figure.amount.amount == D(30000)
    if htmx:
        assert response.status_code == 200
        text = plain(response.content.decode())
        assert f'id="angiven-{figure.pk}"' in text and "Stämmer" in text
        assert "Den angivna summan Summa administration 2027 är rättad." in text
    else:
        assert response.status_code == 302
        assert response.url.endswith(f"#angiven-{figure.pk}")


@pytest.mark.parametrize("htmx", [False, True])
def test_a_bad_amount_is_refused_in_swedish_with_the_input_kept(plan, chief_client, htmx):
    figure = admin_figure(plan)
    response = chief_client.post(
        figure_url(plan, figure), {"action": "correct", "amount": "tio tusen"}, **(HTMX if htmx else {})
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert 'value="tio tusen"' in text
    assert "Skriv ett belopp" in text and "med siffror" in text
    figure.refresh_from_db()
    assert figure.amount.amount == D(31000)


@pytest.mark.parametrize("htmx", [False, True])
def test_the_chief_dismisses_a_deviation_with_a_reason(plan, chief_client, htmx):
    figure = admin_figure(plan)
    response = chief_client.post(
        figure_url(plan, figure),
        {"action": "dismiss", "reason": "Fel i Word-tabellen.", "print_note": "on"},
        **(HTMX if htmx else {}),
    )
    assert response.status_code == (200 if htmx else 302)
    figure.refresh_from_db()
    assert (figure.dismissed_reason, figure.print_note) == ("Fel i Word-tabellen.", True)
    if htmx:
        assert "Dokumentets eget fel" in response.content.decode()


@pytest.mark.parametrize("htmx", [False, True])
def test_a_dismissal_without_a_reason_is_refused_with_the_choice_kept(plan, chief_client, htmx):
    figure = admin_figure(plan)
    response = chief_client.post(
        figure_url(plan, figure),
        {"action": "dismiss", "reason": " ", "print_note": "on"},
        **(HTMX if htmx else {}),
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "Skriv varför avvikelsen är dokumentets eget fel." in text
    assert f'id="angiven-{figure.pk}-not" checked' in text
    figure.refresh_from_db()
    assert figure.dismissed_reason == "" and not figure.print_note


@pytest.mark.parametrize("htmx", [False, True])
def test_the_chief_deletes_a_figure(plan, chief_client, htmx):
    figure = admin_figure(plan)
    response = chief_client.post(figure_url(plan, figure), {"action": "delete"}, **(HTMX if htmx else {}))
    assert response.status_code == (200 if htmx else 302)
    assert not StatedFigure.objects.filter(pk=figure.pk).exists()
    if htmx:
        assert f'id="angiven-{figure.pk}"' not in response.content.decode()
    assert PlanEvent.objects.filter(plan=plan, action=PlanEvent.Action.DELETED).exists()


def test_an_unknown_action_is_a_bad_request(plan, chief_client):
    figure = admin_figure(plan)
    assert chief_client.post(figure_url(plan, figure), {"action": "drop"}).status_code == 400


def test_another_associations_figure_is_not_found(plan, chief_client, outsider_client, other_association):
    figure = admin_figure(plan)
    assert outsider_client.get(page_url(plan)).status_code == 404
    assert outsider_client.post(figure_url(plan, figure), {"action": "delete"}).status_code == 404
    # Beta's own address with Alfa's ids
    url = reverse("stated_figure", args=[other_association.slug, plan.pk, figure.pk])
    assert outsider_client.post(url, {"action": "delete"}).status_code == 404
    assert StatedFigure.objects.filter(pk=figure.pk).exists()


def test_a_figure_of_another_plan_is_not_found(plan, chief_client, association):
    other = PlanFactory(association=association, first_year=2031, years=1)
    figure = admin_figure(plan)
    url = reverse("stated_figure", args=[association.slug, other.pk, figure.pk])
    assert chief_client.post(url, {"action": "delete"}).status_code == 404


def test_a_board_member_may_not_see_or_change_them(plan, board_member_client):
    figure = admin_figure(plan)
    assert board_member_client.get(page_url(plan)).status_code == 403
    assert board_member_client.post(figure_url(plan, figure), {"action": "delete"}).status_code == 403
    assert StatedFigure.objects.filter(pk=figure.pk).exists()


def test_a_locked_plan_is_refused(plan, chief_client):
    figure = admin_figure(plan)
    Plan.objects.filter(pk=plan.pk).update(state=Plan.State.IN_REVIEW)
    for data in (
        {"action": "correct", "amount": "1"},
        {"action": "dismiss", "reason": "x"},
        {"action": "delete"},
    ):
        assert chief_client.post(figure_url(plan, figure), data, **HTMX).status_code == 403
    figure.refresh_from_db()
    assert figure.amount.amount == D(31000) and figure.dismissed_reason == ""


@pytest.mark.slow  # a sweep of every payload, like tests/security/test_hostile_input.py
def test_hostile_reasons_are_saved_or_refused_and_always_shown_as_text(plan, chief_client):
    figure = admin_figure(plan)
    for payload in PAYLOADS:
        response = chief_client.post(
            figure_url(plan, figure), {"action": "dismiss", "reason": payload, "print_note": "on"}
        )
        assert response.status_code in (302, 422), payload
        for url in (page_url(plan), plan.get_absolute_url()):
            text = chief_client.get(url).content.decode()
            # Escaped, every payload is text: none of its tags comes out as markup.
            assert not UNSAFE.search(text), (payload, url)
    for text in ("1" * 41, "-", "1e9", "999 999 999 999 999", "\x00"):
        response = chief_client.post(figure_url(plan, figure), {"action": "correct", "amount": text})
        assert response.status_code == 422, text


def test_what_changed_shows_a_printed_note(plan, chief):
    before = snapshot_content(plan)
    figure = admin_figure(plan)
    services.stated_figure_dismiss(figure=figure, reason="Fel i originalet.", print_note=True, by=chief)
    after = snapshot_content(plan)
    (budget,) = [section for section in snapshot_diff(before, after).sections if section.key == "budget"]
    (item,) = [item for item in budget.items if item.label == "Noter under budgettabellen"]
    assert item.status == "added" and "Fel i originalet." in item.text
    assert snapshot_diff(after, after).sections == []
