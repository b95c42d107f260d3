"""Plan checks ("plan health"): findings to show while editing and on the review page.

Each part of a plan (`plans.parts`) may contribute findings; the budget's are in `budgets.checks`.
A finding says how serious it is and what to fix; `finding_links` says where it is fixed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from plans.models import Plan
from plans.parts import parts_of

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True)
class Finding:
    """One thing to look at. `code` is a stable slug; `target_kind`/`target_id` say what to fix:
    plan | budget | budget_group | budget_line | budget_intervention (an intervention's row in the budget) |
    column | intervention | stated, and its id (or None)."""

    severity: str
    code: str
    message: str
    target_kind: str
    target_id: int | None = None


def plan_findings(plan: Plan, doc=None) -> list[Finding]:
    """Every part's findings for `plan`, errors first, then warnings, then information (each in the order
    of the plan). Pass the plan's document when the caller has it, to save the parts' queries."""
    findings = [
        finding for kind in parts_of(plan) if kind.checks is not None for finding in kind.checks(plan, doc)
    ]
    return sorted(findings, key=lambda finding: SEVERITY_ORDER[finding.severity])


def findings_digest(findings: list[Finding]) -> str:
    """A short fingerprint of a list of findings (their text included, so it changes with the language).
    The checks panel carries it; a saved budget cell that leaves it unchanged does not re-send the panel."""
    text = "\n".join(f"{f.severity}|{f.code}|{f.target_kind}|{f.target_id}|{f.message}" for f in findings)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def settings_url(plan: Plan) -> str:
    return reverse("plan_edit", args=[plan.association.slug, plan.pk]) + "#installningar"


def finding_links(plan: Plan, finding) -> list[tuple[str, str]]:
    """(label, url) for where a finding is fixed: the budget grid, an intervention, the settings."""
    kind, target_id = finding.target_kind, finding.target_id
    links: list[tuple[str, str]] = []
    if kind in ("chapter", "goal"):  # its row in the plan editor
        anchor = "kapitel" if kind == "chapter" else "mal"
        url = reverse("plan_edit", args=[plan.association.slug, plan.pk])
        links.append((_("Till texten"), f"{url}#{anchor}-{target_id}"))
    elif kind == "intervention":
        if target_id:
            url = reverse("intervention_detail", args=[plan.association.slug, target_id])
        else:
            url = reverse("plan_interventions", args=[plan.association.slug, plan.pk])
        links.append((_("Till insatsen"), url))
    elif kind == "plan":
        links.append((_("Till inställningarna"), settings_url(plan)))
    else:  # budget, budget_group, budget_line, budget_intervention, column, stated
        if kind == "stated":  # the figure itself, or the budget it is compared with
            url = reverse("plan_stated_figures", args=[plan.association.slug, plan.pk])
            links.append((_("Till angivna summor"), f"{url}#angiven-{target_id}" if target_id else url))
        url = reverse("plan_budget_grid", args=[plan.association.slug, plan.pk])
        anchors = {
            "budget_group": "grupp",
            "budget_line": "rad",
            "budget_intervention": "insatsrad",
            "column": "kolumn",
        }
        if target_id and kind in anchors:
            url = f"{url}#{anchors[kind]}-{target_id}"
        links.append((_("Till budgeten"), url))
    if finding.code in ("grant_differs_from_budget", "stated_dismissed") and kind != "stated":
        # A document's printed line for an intervention: the chief may also judge the document wrong.
        links.append(
            (_("Till angivna summor"), reverse("plan_stated_figures", args=[plan.association.slug, plan.pk]))
        )
    if finding.code == "budget_deficit":
        links.append((_("Skriv motivering"), settings_url(plan)))
    return links
