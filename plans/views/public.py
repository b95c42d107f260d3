"""The open pages (no login): an association's published plans, and each as accessible HTML rendered from
its version of record, with the archived PDF/A beside it. Anything not published is a 404."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from finsam.models import Association
from plans.document import document_html, shown_document
from plans.models import Plan


def published_plans(association: Association) -> list[Plan]:
    plans = association.plans.filter(state__in=Plan.LOCKED_STATES).order_by("-first_year", "-revision")
    return [plan for plan in plans if plan.is_public]


@require_GET
def public_association(request, association: str):
    association = get_object_or_404(Association, slug=association)
    plans = published_plans(association)
    if not plans:
        raise Http404
    return render(request, "plans/public_association.html", {"association": association, "plans": plans})


@require_GET
def public_plan(request, association: str, pk: int):
    plan = get_object_or_404(
        Plan.objects.select_related("association").filter(state__in=Plan.LOCKED_STATES),
        association__slug=association,
        pk=pk,
    )
    if not plan.is_public:
        raise Http404
    return render(
        request, "plans/public_plan.html", {"plan": plan, "document": document_html(shown_document(plan))}
    )
