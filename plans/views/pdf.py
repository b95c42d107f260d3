"""The plan as a PDF: requested, rendered in a background task (`plans.pdf`), stored, and served."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from finsam.access import association_view
from finsam.models import Association
from plans.access import get_plan
from plans.models import Plan, PlanPdf
from plans.pdf import (
    plan_pdf_archive,
    plan_pdf_filename,
    plan_pdf_latest,
    plan_pdf_request,
    requeue_if_needed,
)

# --- The plan as a PDF (plans/pdf.py renders it in a background task) ---------------


def pdf_file_response(plan: Plan, pdf: PlanPdf, *, inline: bool = False) -> FileResponse:
    """The stored file as it is, never rendered again: an archived PDF is byte-identical every time."""
    response = FileResponse(
        pdf.file.open("rb"),
        as_attachment=not inline,
        filename=plan_pdf_filename(plan),
        content_type="application/pdf",
    )
    response["ETag"] = f'"{pdf.sha256}"'
    return response


def pdf_context(request, plan: Plan, pdf: PlanPdf | None, **extra) -> dict[str, Any]:
    public_url = ""
    if plan.is_public:
        public_url = request.build_absolute_uri(
            reverse("plan_pdf_public", kwargs={"association": plan.association.slug, "pk": plan.pk})
        )
    return {"plan": plan, "pdf": pdf, "public_url": public_url, **extra}


@association_view
@require_http_methods(["GET", "POST"])
def plan_pdf(request, pk: int):
    """GET: the plan's PDF page. POST: the PDF of the plan as it is now, queued for rendering unless
    this content has a PDF already (then, without JavaScript, straight to the file)."""
    plan = get_plan(request, pk)
    if request.method == "POST":
        pdf = plan_pdf_request(plan=plan, by=request.user)
        if request.htmx:
            return render(request, "plans/plan_pdf_status.html#pdf-status", pdf_context(request, plan, pdf))
        if pdf.is_done:
            return redirect("plan_pdf_file", association=plan.association.slug, pk=plan.pk, pdf=pdf.pk)
        return redirect("plan_pdf_status", association=plan.association.slug, pk=plan.pk, pdf=pdf.pk)
    return render(request, "plans/plan_pdf_status.html", pdf_context(request, plan, plan_pdf_latest(plan)))


@association_view
@require_GET
@vary_on_headers("HX-Request")
def plan_pdf_status(request, pk: int, pdf: int):
    """How the rendering goes; htmx polls this every second until the PDF is done or has failed."""
    plan = get_plan(request, pk)
    # A rendering whose worker died (a restart) is queued again instead of being polled forever.
    pdf = requeue_if_needed(get_object_or_404(plan.pdfs, pk=pdf), failed=False)
    template = "plans/plan_pdf_status.html#pdf-status" if request.htmx else "plans/plan_pdf_status.html"
    return render(request, template, pdf_context(request, plan, pdf))


@association_view
@require_GET
def plan_pdf_file(request, pk: int, pdf: int):
    """Download a stored PDF of a plan the user may see."""
    plan = get_plan(request, pk)
    pdf = get_object_or_404(plan.pdfs, pk=pdf, status=PlanPdf.Status.DONE)
    return pdf_file_response(plan, pdf)


@require_GET
def plan_pdf_public(request, association: str, pk: int):
    """The open link (no login) to an adopted plan's archived PDF, for associations that publish.

    Anything else is a 404: an association that does not publish, a plan that is not adopted or
    superseded, another association's plan. An adopted plan without its archive yet (adopted before
    PDFs existed) has it queued here, and the visitor is asked to come back in a moment.
    """
    association = get_object_or_404(Association, slug=association)
    plan = get_object_or_404(
        association.plans.filter(state__in=Plan.LOCKED_STATES).select_related("association"), pk=pk
    )
    if not plan.is_public:
        raise Http404
    pdf = plan_pdf_archive(plan=plan, retry_failed=False)
    if not pdf.is_done:
        response = render(
            request, "plans/plan_pdf_status.html", pdf_context(request, plan, pdf, public=True), status=503
        )
        response["Retry-After"] = "5"
        return response
    response = pdf_file_response(plan, pdf, inline=True)
    response["Cache-Control"] = "public, max-age=3600"
    return response
