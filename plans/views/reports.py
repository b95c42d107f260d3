"""Reports on an adopted plan: starting one (`plans.reports`), and the members' auditors' reports and
discharge decisions on an adopted annual report (`plans.discharge`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from finsam.access import association_view
from plans.access import get_plan
from plans.discharge import (
    AuditorsReportForm,
    DischargeDecisionForm,
    auditors_report_save,
    discharge_decision_save,
    discharge_overview,
    takes_discharge,
)
from plans.reports import ReportExists, report_create

TEMPLATE = "plans/report_discharge.html"


@require_POST
@association_view
def report_new(request, pk: int):
    """The chief starts the interim report (`kind=interim_report`, `months`) or the annual report
    (`kind=annual_report`) on an adopted plan; a report already started is named instead."""
    plan = get_plan(request, pk)
    if not request.access.is_chief:
        raise PermissionDenied(_("Bara förbundschefen kan skapa en rapport."))
    if plan.kind != plan.Kind.PLAN or plan.state != plan.State.ADOPTED:
        raise PermissionDenied(_("En rapport skapas från den fastställda planen."))
    months = request.POST.get("months", "")
    try:
        report = report_create(
            plan=plan,
            kind=request.POST.get("kind", ""),
            months=int(months) if months.isdigit() and len(months) < 3 else None,
            by=request.user,
        )
    except ReportExists as refusal:
        messages.error(request, refusal.messages[0] + " " + _("Den finns under ”Rapporter om planen”."))
        return redirect(plan)
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
        return redirect(plan)
    messages.success(request, _("”%(title)s” är skapad som utkast.") % {"title": report.title})
    return redirect(report)


@require_http_methods(["GET", "POST"])
@association_view
def report_discharge(request, pk: int):
    """Each member's auditors' report and discharge decision on an adopted annual report: everyone who sees
    the report reads them; the chief records them (POST `action=revision` or `action=ansvarsfrihet`)."""
    report = get_plan(request, pk)
    if report.kind != report.Kind.ANNUAL_REPORT:
        raise Http404
    may_record = request.access.is_chief and takes_discharge(report)
    audit_form = AuditorsReportForm(plan=report)
    decision_form = DischargeDecisionForm(plan=report)
    status = 200
    if request.method == "POST":
        if not request.access.is_chief:
            raise PermissionDenied(_("Bara förbundschefen kan registrera revision och ansvarsfrihet."))
        if not takes_discharge(report):
            raise PermissionDenied(
                _("Revision och ansvarsfrihet registreras för en fastställd årsredovisning.")
            )
        action = request.POST.get("action")
        if action == "revision":
            audit_form = form = AuditorsReportForm(request.POST, plan=report)
            save, done = auditors_report_save, _("Revisionsberättelsen är registrerad.")
        elif action == "ansvarsfrihet":
            decision_form = form = DischargeDecisionForm(request.POST, plan=report)
            save, done = discharge_decision_save, _("Beslutet om ansvarsfrihet är registrerat.")
        else:
            form = None
        if form is not None and form.is_valid():
            try:
                save(report=report, values=form.cleaned_data, by=request.user)
            except ValidationError as refusal:
                form.add_error(None, refusal.messages[0])
            else:
                messages.success(request, done)
                return redirect("report_discharge", association=report.association.slug, pk=report.pk)
        status = 422
        if form is None:
            messages.error(request, _("Välj vad du vill registrera."))
    context = {
        "plan": report,
        "members": discharge_overview(report),
        "may_record": may_record,
        "audit_form": audit_form,
        "decision_form": decision_form,
    }
    return render(request, TEMPLATE, context, status=status)
