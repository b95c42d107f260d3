"""Plan checks ("plan health"): what in a plan breaks the law, the national recommendations or its own
arithmetic, as a list of findings to show while editing and on the review page.

`plan_checks(plan, budget=None)` reads the plan with a fixed number of queries whatever its size: the
computed budget (`budgets.calc.plan_budget`, or the one the caller already has), the plan's interventions
with owner, partners and grants, the stated figures, and the contribution overrides. It writes nothing.

Severities:
- "error": the plan is inconsistent in itself (columns missing or out of order, adopted without date), or
  its budget year ends with negative equity;
- "warning": something the board should see before adopting (a deficit, negative equity in a plan year,
  equity above 20 %, an
  intervention with fewer than two members, a grant that differs from the budget or lies outside the
  intervention's period, a stated figure that differs from the computed one);
- "info": worth knowing, nothing to fix (an explained deficit, unknown opening equity, an override, an
  intervention budgeted within 1 % of its grant: a rounded frame).
An intervention budgeted at another amount than its grant is a warning from 1 % of the grant on.
Only budget and plan columns are checked against §21 and the 20 % limit: outcome and forecast columns
are history, not something the plan decides.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from budgets.calc import BudgetResult, plan_budget
from budgets.models import BudgetGroup, StatedFigure
from budgets.stated import stated_comparisons
from finsam.money import format_kronor, to_decimal
from plans.checks import ERROR, INFO, SEVERITY_ORDER, WARNING, Finding

if TYPE_CHECKING:
    from interventions.models import Intervention
    from plans.models import Plan

EQUITY_LIMIT = Decimal("0.20")
# Below this share of the grant, a budgeted amount that differs from it is a rounded frame (information).
BUDGETED_DIFFERENCE_LIMIT = Decimal("0.01")
QUOTE_LENGTH = 300


def plan_checks(plan: Plan, budget: BudgetResult | None = None) -> list[Finding]:
    """Every finding for `plan`, errors first, then warnings, then information (each in the order of
    the plan). Pass `budget` when the caller has already computed it, to save its queries."""
    if budget is None:
        budget = plan_budget(plan)
    interventions = budget.interventions
    findings = [
        *state_findings(plan),
        *column_findings(plan, budget),
        *balance_findings(plan, budget),
        *equity_findings(plan, budget),
        *contribution_findings(plan, budget),
        *intervention_findings(plan, budget, interventions),
        *budgeted_findings(budget),
        *stated_findings(plan, budget, interventions),
    ]
    return sorted(findings, key=lambda finding: SEVERITY_ORDER[finding.severity])


# --- Helpers ----------------------------------------------------------------------------------------


def join_words(words: list[str]) -> str:
    """["2021", "2022", "2023"] → "2021, 2022 och 2023"."""
    if len(words) <= 1:
        return "".join(words)
    return _("%(first)s och %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}


def year_span(years: list[int]) -> str:
    """Consecutive years as a span (2021–2023), others listed."""
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return join_words([str(year) for year in years])


def quoted(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > QUOTE_LENGTH:
        text = text[: QUOTE_LENGTH - 1].rstrip() + "…"
    return f"”{text}”"


def decided_columns(budget: BudgetResult):
    """The columns the plan decides: budget and plan years (not outcome or forecast)."""
    return [column for column in budget.columns if column.kind in (column.Kind.BUDGET, column.Kind.PLAN)]


def period_text(intervention: Intervention) -> str:
    start, end = intervention.start_date, intervention.end_date
    if start and end:
        return f"{start.isoformat()} – {end.isoformat()}"
    if start:
        return _("från %(start)s t.o.m. löpande") % {"start": start.isoformat()}
    return _("t.o.m. %(end)s") % {"end": end.isoformat()}


def difference_text(stated: Decimal, computed: Decimal) -> str:
    difference = stated - computed
    if difference > 0:
        return _("%(amount)s mer") % {"amount": format_kronor(difference)}
    return _("%(amount)s mindre") % {"amount": format_kronor(-difference)}


# --- The checks -------------------------------------------------------------------------------------


def state_findings(plan: Plan) -> list[Finding]:
    findings = []
    if plan.state == plan.State.ADOPTED and not plan.adopted_on:
        findings.append(
            Finding(
                ERROR,
                "adopted_without_date",
                _("Planen är fastställd men saknar datum för styrelsens beslut."),
                "plan",
                plan.pk,
            )
        )
    if plan.opening_equity is None:
        findings.append(
            Finding(
                INFO,
                "opening_equity_unknown",
                _(
                    # xgettext:no-python-format
                    "Ingående eget kapital är inte angivet, så eget kapital vid årens slut kan inte räknas "
                    "fram eller jämföras med 20 %-gränsen."
                ),
                "plan",
                plan.pk,
            )
        )
    return findings


def column_findings(plan: Plan, budget: BudgetResult) -> list[Finding]:
    findings = []
    columns = sorted(budget.columns, key=lambda column: column.year)
    years = {column.year for column in columns}
    plan_years = list(plan.year_range)
    missing = [year for year in plan_years if year not in years]
    if missing:
        findings.append(
            Finding(
                ERROR,
                "columns_missing_plan_years",
                ngettext(
                    "Planen gäller %(span)s men budgeten saknar en kolumn för %(missing)s.",
                    "Planen gäller %(span)s men budgeten saknar kolumner för %(missing)s.",
                    len(missing),
                )
                % {"span": year_span(plan_years), "missing": year_span(missing)},
                "budget",
                None,
            )
        )
    for previous, column in pairwise(columns):
        gap = list(range(previous.year + 1, column.year))
        if gap and not set(gap) <= set(missing):  # plan years that are missing are reported above
            findings.append(
                Finding(
                    ERROR,
                    "columns_not_consecutive",
                    _("Budgetens kolumner följer inte på varandra: efter %(previous)s kommer %(year)s.")
                    % {"previous": previous.year, "year": column.year},
                    "column",
                    column.pk,
                )
            )
    for column in columns:
        expected = None
        if column.year == plan.first_year:
            expected = column.Kind.BUDGET
        elif column.year in plan.year_range:
            expected = column.Kind.PLAN
        elif column.year > plan.last_year or column.kind in (column.Kind.BUDGET, column.Kind.PLAN):
            findings.append(
                Finding(
                    WARNING,
                    "column_outside_plan_years",
                    _(
                        "Kolumnen %(kind)s %(year)s ligger utanför planens år %(span)s; år före planen "
                        "visas som utfall eller prognos."
                    )
                    % {"kind": column.get_kind_display(), "year": column.year, "span": year_span(plan_years)},
                    "column",
                    column.pk,
                )
            )
        if expected and column.kind != expected:
            findings.append(
                Finding(
                    WARNING,
                    "column_kind_unexpected",
                    _("Kolumnen för %(year)s är markerad som %(kind)s men bör vara %(expected)s.")
                    % {
                        "year": column.year,
                        "kind": column.get_kind_display().lower(),
                        "expected": column.Kind(expected).label.lower(),
                    },
                    "column",
                    column.pk,
                )
            )
    return findings


def balance_findings(plan: Plan, budget: BudgetResult) -> list[Finding]:
    """§21 of lag (2003:1210): revenue should cover costs; a deficit needs "synnerliga skäl"."""
    findings = []
    explanation = (plan.deficit_explanation or "").strip()
    for column in decided_columns(budget):
        year = column.year
        revenue, costs = budget.revenue_total[year], budget.cost_total[year]
        if costs <= revenue:
            continue
        values = {
            "year": year,
            "costs": format_kronor(costs),
            "revenue": format_kronor(revenue),
            "deficit": format_kronor(costs - revenue),
        }
        message = (
            _(
                "Budgeten för %(year)s är inte i balans: kostnaderna %(costs)s är %(deficit)s högre än "
                "intäkterna %(revenue)s."
            )
            % values
        )
        if explanation:
            message += " " + _("Förbundschefen har motiverat underskottet: %(quote)s") % {
                "quote": quoted(explanation)
            }
            findings.append(Finding(INFO, "budget_deficit", message, "column", column.pk))
        else:
            message += " " + _(
                "Enligt 21 § ska intäkterna täcka kostnaderna; ett underskott kräver synnerliga skäl. "
                "Motivera underskottet i planen eller minska kostnaderna."
            )
            findings.append(Finding(WARNING, "budget_deficit", message, "column", column.pk))
    return findings


def equity_limit(contributions: Decimal) -> Decimal:
    """The most equity the national council recommends: 20 % of the year's contributions."""
    return contributions * EQUITY_LIMIT


def equity_findings(plan: Plan, budget: BudgetResult) -> list[Finding]:
    """Equity below zero at the end of a year (an error in the budget year, a warning in a plan year: the
    association would spend money it does not have), and the national council's recommendation: equity at
    most 20 % of the year's contributions."""
    findings = []
    contributions = budget.contribution_income
    for column in decided_columns(budget):
        year = column.year
        closing = budget.closing_equity.get(year)
        if closing is not None and closing < 0:
            findings.append(
                Finding(
                    ERROR if column.kind == column.Kind.BUDGET else WARNING,
                    "equity_negative",
                    _(
                        "Eget kapital vid utgången av %(year)s blir negativt: %(equity)s. Förbundet kan inte "
                        "använda mer pengar än det har; minska kostnaderna eller öka intäkterna."
                    )
                    % {"year": year, "equity": format_kronor(closing)},
                    "column",
                    column.pk,
                )
            )
        if closing is None or year not in contributions:
            continue
        limit = equity_limit(contributions[year])
        if closing > limit:
            findings.append(
                Finding(
                    WARNING,
                    "equity_above_limit",
                    _(
                        "Eget kapital vid utgången av %(year)s är %(equity)s, mer än 20 %% av årets "
                        "medlemsavgifter %(contributions)s (%(limit)s). Nationella rådets rekommendation är "
                        "högst 20 %%."
                    )
                    % {
                        "year": year,
                        "equity": format_kronor(closing),
                        "contributions": format_kronor(contributions[year]),
                        "limit": format_kronor(limit),
                    },
                    "column",
                    column.pk,
                )
            )
    return findings


def contribution_findings(plan: Plan, budget: BudgetResult) -> list[Finding]:
    """Missing totals, and overridden parts (shown; a warning when the parts no longer add up)."""
    contribution_groups = [g for g in budget.revenue_groups if g.group.kind == g.group.Kind.CONTRIBUTIONS]
    if not contribution_groups:
        return []
    findings = []
    for column in decided_columns(budget):
        year = column.year
        if column.contributions_total is None:
            findings.append(
                Finding(
                    WARNING,
                    "contributions_total_missing",
                    _("Medlemmarnas sammanlagda insats för %(year)s är inte angiven.") % {"year": year},
                    "column",
                    column.pk,
                )
            )
            continue
        overridden = [
            row for group in contribution_groups for row in group.rows if year in row.overridden_years
        ]
        if not overridden:
            continue
        total = to_decimal(column.contributions_total)
        parts = budget.contribution_income.get(year, Decimal(0))
        names = join_words([row.label for row in overridden])
        if parts != total:
            findings.append(
                Finding(
                    WARNING,
                    "contributions_do_not_add_up",
                    _(
                        "Medlemsavgifterna %(year)s summerar till %(parts)s men medlemmarnas sammanlagda insats "
                        "är %(total)s, eftersom beloppet för %(names)s är justerat för hand."
                    )
                    % {
                        "year": year,
                        "parts": format_kronor(parts),
                        "total": format_kronor(total),
                        "names": names,
                    },
                    "column",
                    column.pk,
                )
            )
        else:
            findings.append(
                Finding(
                    INFO,
                    "contribution_overridden",
                    _("Medlemsavgiften %(year)s för %(names)s är justerad för hand.")
                    % {"year": year, "names": names},
                    "column",
                    column.pk,
                )
            )
    return findings


def intervention_findings(
    plan: Plan, budget: BudgetResult, interventions: list[Intervention]
) -> list[Finding]:

    findings = []
    has_decided_group = any(g.group.kind == BudgetGroup.Kind.INTERVENTIONS_DECIDED for g in budget.groups)
    for intervention in interventions:
        if intervention.status == intervention.Status.ENDED:
            continue
        organisations = [*intervention.owner_organisations, *intervention.partner_organisations]
        members = {}
        for organisation in organisations:
            if (
                organisation is not None
                and organisation.is_member
                and organisation.association_id == plan.association_id
            ):
                members[organisation.pk] = organisation.name
        if len(members) < 2:
            findings.append(
                Finding(
                    WARNING,
                    "intervention_too_few_members",
                    (
                        _(
                            "Insatsen %(name)s har ingen av förbundets medlemmar som ägare eller samverkande "
                            "organisation; minst två medlemmar ska delta."
                        )
                        if not members
                        else _(
                            "Insatsen %(name)s har bara en av förbundets medlemmar (%(member)s) som ägare eller "
                            "samverkande organisation; minst två medlemmar ska delta."
                        )
                    )
                    % {"name": intervention.name, "member": next(iter(members.values()), "")},
                    "intervention",
                    intervention.pk,
                )
            )
        for year, amount in intervention.granted.items():
            if not intervention.covers_year(year):
                findings.append(
                    Finding(
                        WARNING,
                        "grant_outside_period",
                        _(
                            "Insatsen %(name)s har beviljats %(amount)s för %(year)s, men insatsens period är "
                            "%(period)s."
                        )
                        % {
                            "name": intervention.name,
                            "amount": format_kronor(amount),
                            "year": year,
                            "period": period_text(intervention),
                        },
                        "intervention",
                        intervention.pk,
                    )
                )
        in_budget_years = [year for year in intervention.granted if year in budget.years]
        if intervention.status != intervention.Status.UNDECIDED and in_budget_years and not has_decided_group:
            findings.append(
                Finding(
                    WARNING,
                    "grant_not_in_budget",
                    _(
                        "Insatsen %(name)s har beviljats medel för %(years)s, men budgeten har ingen grupp för "
                        "beslutade insatser där beloppen räknas in."
                    )
                    % {"name": intervention.name, "years": year_span(in_budget_years)},
                    "intervention",
                    intervention.pk,
                )
            )
    return findings


def budgeted_findings(budget: BudgetResult) -> list[Finding]:
    """Each year where the budget holds another amount for an intervention than its grant: information
    when the difference is under 1 % of the grant, a warning otherwise (also where there is no grant)."""
    findings = []
    for group_result in budget.groups:
        if group_result.group.kind != BudgetGroup.Kind.INTERVENTIONS_DECIDED:
            continue
        for row in group_result.rows:
            if row.intervention is None:
                continue
            for year, difference in row.budget_differences.items():
                granted, budgeted = row.granted.get(year), row.budgeted[year]
                values = {"name": row.intervention.name, "year": year, "budgeted": format_kronor(budgeted)}
                if granted is None:
                    severity = WARNING
                    message = _(
                        "Budgeten för %(year)s tar upp %(budgeted)s för insatsen %(name)s, som inte har "
                        "något beviljat belopp det året."
                    )
                else:
                    small = abs(difference) < granted * BUDGETED_DIFFERENCE_LIMIT
                    severity = INFO if small else WARNING
                    values |= {
                        "granted": format_kronor(granted),
                        "difference": difference_text(budgeted, granted),
                    }
                    message = _(
                        "Budgeten för %(year)s tar upp %(budgeted)s för insatsen %(name)s, %(difference)s än "
                        "beviljat belopp %(granted)s."
                    )
                findings.append(
                    Finding(
                        severity,
                        "intervention_budgeted_differs",
                        message % values,
                        "budget_intervention",
                        row.intervention.pk,
                    )
                )
    return findings


def stated_findings(plan: Plan, budget: BudgetResult, interventions: list[Intervention]) -> list[Finding]:
    """Figures as an imported document printed them that differ from the computed budget, each naming
    the document's row, the level it is compared at and the amounts (stated, computed, difference). An
    intervention's printed line is reported on the intervention (its grant, or the amount budgeted
    instead, differs from the document). A deviation the chief marked as the document's own error is
    information, with their reason."""

    deviating = [comparison for comparison in stated_comparisons(plan, budget) if not comparison.agrees]
    if not deviating:
        return []
    by_id = {intervention.pk: intervention for intervention in interventions}
    budgeted = {
        row.intervention.pk: row.budgeted
        for group_result in budget.groups
        for row in group_result.rows
        if row.intervention is not None
    }

    findings = []
    for comparison in deviating:
        figure = comparison.figure
        values = {
            "label": comparison.label,
            "year": comparison.year,
            "level": comparison.level,
            "stated": comparison.stated_text,
        }
        dismissed = ""
        if figure.is_dismissed:
            dismissed = " " + _("Markerad som dokumentets eget fel: %(reason)s") % {
                "reason": quoted(figure.dismissed_reason)
            }
        if figure.target == StatedFigure.Target.INTERVENTION and figure.intervention_id:
            intervention = by_id.get(figure.intervention_id)
            name = intervention.name if intervention else comparison.label
            granted = intervention.granted.get(comparison.year) if intervention else None
            chosen = budgeted.get(figure.intervention_id, {}).get(comparison.year)
            values |= {"name": name}
            if chosen is not None:
                message = _(
                    "Insatsen %(name)s har budgeterats till %(budgeted)s för %(year)s, men dokumentets "
                    "budgettabell visar %(stated)s på raden ”%(label)s”, %(difference)s än budgeterat."
                ) % {
                    **values,
                    "budgeted": comparison.amount_text(chosen),
                    "difference": comparison.more_or_less_text(chosen),
                }
            elif granted is None:
                message = (
                    _(
                        "Insatsen %(name)s har inget beviljat belopp för %(year)s i budgeten, men dokumentets "
                        "budgettabell visar %(stated)s på raden ”%(label)s”."
                    )
                    % values
                )
            else:
                message = _(
                    "Insatsen %(name)s har beviljats %(granted)s för %(year)s, men dokumentets budgettabell "
                    "visar %(stated)s på raden ”%(label)s”, %(difference)s än beviljat."
                ) % {
                    **values,
                    "granted": comparison.amount_text(granted),
                    "difference": comparison.more_or_less_text(granted),
                }
            # A budgeted amount is corrected in the budget grid, a grant on the intervention.
            kind = "budget_intervention" if chosen is not None else "intervention"
            findings.append(
                Finding(
                    INFO if dismissed else WARNING,
                    "stated_dismissed" if dismissed else "grant_differs_from_budget",
                    message + dismissed,
                    kind,
                    figure.intervention_id,
                )
            )
            continue
        if comparison.computed is None:
            message = (
                _(
                    "Raden ”%(label)s” %(year)s, jämförd med %(level)s: dokumentet anger %(stated)s, men "
                    "budgeten har inget motsvarande belopp."
                )
                % values
            )
        else:
            message = _(
                "Raden ”%(label)s” %(year)s, jämförd med %(level)s: dokumentet anger %(stated)s, men det "
                "beräknade beloppet är %(computed)s, en skillnad på %(difference)s."
            ) % {
                **values,
                "computed": comparison.computed_text,
                "difference": comparison.difference_text,
            }
        findings.append(
            Finding(
                INFO if dismissed else WARNING,
                "stated_dismissed" if dismissed else "stated_differs",
                message + dismissed,
                "stated",
                figure.pk,
            )
        )
    return findings
