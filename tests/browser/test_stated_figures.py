"""Stated figures in Chromium: the chief opens them from the budget grid, corrects one, deletes one and
marks one as the document's own error (a reason is required), from the keyboard, without a reload; the
dismissed deviation shows as information in the grid's checks and prints as a note in the document."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from budgets.calc import plan_budget
from budgets.models import StatedFigure
from finsam.money import amount_input_text
from plans.models import Plan
from plans.rollover import plan_rollover

pytestmark = pytest.mark.browser

SLUG = "ostra-varmland"
CHIEF = f"chef.{SLUG}"
NBSP = "\u00a0"


@pytest.fixture
def draft(demo_loader):
    """Östra Värmland's 2023 draft (rolled over from its adopted 2022 plan) with three stated figures that
    all differ from the budget: total costs, a group's subtotal and the result."""
    demo_loader(SLUG)
    adopted = Plan.objects.get(association__slug=SLUG, state=Plan.State.ADOPTED)
    plan = plan_rollover(source=adopted, by=None)
    budget = plan_budget(plan)
    column = plan.budget_columns.get(year=plan.first_year)
    year = plan.first_year
    group = next(g for g in budget.cost_groups if g.rows)
    figures = [
        ("Summa kostnader", StatedFigure.Target.COSTS, budget.cost_total[year] + 10000, {}),
        (
            f"Summa {group.group.name.lower()}",
            StatedFigure.Target.GROUP,
            group.totals[year] + 1000,
            {"group": group.group, "reference": group.group.name},
        ),
        ("Resultat", StatedFigure.Target.RESULT, budget.result[year] + 5000, {}),
    ]
    for position, (label, target, amount, links) in enumerate(figures):
        StatedFigure.objects.create(
            plan=plan, column=column, label=label, target=target, amount=amount, position=position, **links
        )
    plan.computed_costs = budget.cost_total[year]
    plan.group_name = group.group.name
    return plan


def stated(plan, label):
    return StatedFigure.objects.get(plan=plan, label=label)


def test_the_chief_corrects_deletes_and_dismisses_stated_figures(page, draft, login, axe_check, htmx_settled):
    login(page, CHIEF)
    page.goto(f"/f/{SLUG}/planer/{draft.pk}/budget/")
    page.get_by_role("link", name="Angivna summor", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Angivna summor")
    expect(page.locator("#stated-summary")).to_contain_text("3 avviker från budgeten.")
    axe_check(page)
    page.evaluate("window.finsamNoReload = true")

    # Correct total costs to what the document really says: it then agrees.
    costs = stated(draft, "Summa kostnader")
    card = page.locator(f"#angiven-{costs.pk}")
    expect(card).to_contain_text("Jämförs med summa kostnader.")
    amount = card.get_by_label("Belopp enligt dokumentet")
    amount.fill(amount_input_text(draft.computed_costs, draft.unit))
    amount.press("Enter")
    htmx_settled(page)
    expect(page.locator(f"#angiven-{costs.pk}")).to_contain_text("Stämmer")
    expect(page.locator("#messages")).to_contain_text("Den angivna summan Summa kostnader 2023 är rättad.")
    expect(page.locator("#stated-summary")).to_contain_text("2 avviker från budgeten.")
    assert stated(draft, "Summa kostnader").amount.amount == Decimal(draft.computed_costs)

    # Delete the result.
    result = stated(draft, "Resultat")
    page.locator(f"#angiven-{result.pk}").get_by_role("button", name="Ta bort Resultat 2023").click()
    htmx_settled(page)
    expect(page.locator(f"#angiven-{result.pk}")).to_have_count(0)
    expect(page.locator("#messages")).to_contain_text("Den angivna summan Resultat 2023 togs bort.")
    assert not StatedFigure.objects.filter(pk=result.pk).exists()

    # Dismiss the group's subtotal: first without a reason (refused, the choice kept), then with one.
    group = stated(draft, f"Summa {draft.group_name.lower()}")
    card = page.locator(f"#angiven-{group.pk}")
    expect(card).to_contain_text(f"Jämförs med delsumma för gruppen {draft.group_name}.")
    summary = card.locator("summary", has_text="Dokumentets eget fel")
    summary.focus()
    page.keyboard.press("Enter")  # opens the form, from the keyboard
    card.get_by_label("Skriv ut som not under budgettabellen i dokumentet").check()
    card.get_by_role("button", name="Markera som dokumentets eget fel").click()
    htmx_settled(page)
    card = page.locator(f"#angiven-{group.pk}")
    expect(card).to_contain_text("Skriv varför avvikelsen är dokumentets eget fel.")
    reason = card.get_by_label("Varför är avvikelsen dokumentets eget fel?")
    expect(reason).to_be_focused()
    expect(card.get_by_label("Skriv ut som not under budgettabellen i dokumentet")).to_be_checked()
    reason.fill("Summeringsfel i det antagna dokumentet.")
    reason.press("Tab")  # to the checkbox, then to the button, from the keyboard
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    htmx_settled(page)
    card = page.locator(f"#angiven-{group.pk}")
    expect(card).to_contain_text("Dokumentets eget fel")
    expect(card).to_contain_text("Motivering: Summeringsfel i det antagna dokumentet.")
    expect(page.locator("#stated-summary")).to_contain_text("1 är markerad som dokumentets eget fel.")
    assert page.evaluate("window.finsamNoReload === true"), "the page was reloaded"
    axe_check(page)

    # The grid's checks show it as information with the reason; the document prints the note.
    page.goto(f"/f/{SLUG}/planer/{draft.pk}/budget/")
    info = page.locator("#budget-grid-checks .finding--info", has_text="dokumentets eget fel")
    expect(info).to_contain_text("Summeringsfel i det antagna dokumentet.")
    expect(page.locator("#budget-grid-checks .finding--warning", has_text="Summa kostnader")).to_have_count(0)
    page.goto(draft.get_absolute_url())
    expect(page.locator(".budget-notes")).to_contain_text("Summeringsfel i det antagna dokumentet.")
