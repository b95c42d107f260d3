"""The members' auditors' reports and discharge decisions on an adopted annual report.

Each member organisation's auditors report on the year (revisionsberättelse: the date, whether they
recommend discharge, their statement), and each member decides whether to discharge the board from
liability (ansvarsfrihet: the date, the body that decided, the § of its minutes, granted or refused). The
chief records both against the adopted annual report, one of each per member (a second save corrects the
first), as lifecycle steps of the report's write gateway (`plans.gateway`: the row locked, one history
event). The frozen report itself never changes (`plans.reports`).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finsam.models import Membership, Organisation
from plans.gateway import plan_change
from plans.models import AuditorsReport, DischargeDecision, Plan, PlanEvent
from plans.parts import PartKind, register
from plans.transitions import user_role

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def takes_discharge(report: Plan) -> bool:
    """Auditors' reports and discharge decisions are recorded against an adopted annual report only."""
    return report.kind == Plan.Kind.ANNUAL_REPORT and report.state == Plan.State.ADOPTED


def members_of(report: Plan):
    return Organisation.objects.filter(association_id=report.association_id, is_member=True)


class MemberForm(forms.ModelForm):
    """A member's record: its organisation is one of the report's association's members, the date not in
    the future."""

    date_field = ""

    def __init__(self, *args, plan: Plan, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.report = plan
        self.fields["organisation"].queryset = members_of(plan)
        self.fields["organisation"].empty_label = gettext_lazy("Välj medlem")
        self.fields["organisation"].error_messages["invalid_choice"] = gettext_lazy(
            "Välj en av förbundets medlemmar."
        )

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get(self.date_field)
        if day is not None and day > timezone.localdate():
            self.add_error(self.date_field, _("Datumet kan inte ligga i framtiden."))
        if day is not None and day.year <= self.report.first_year:
            self.add_error(
                self.date_field,
                _("Datumet ska ligga efter räkenskapsåret %(year)s.") % {"year": self.report.first_year},
            )
        return cleaned


class AuditorsReportForm(MemberForm):
    date_field = "reported_on"

    class Meta:
        model = AuditorsReport
        fields = ["organisation", "reported_on", "recommends_discharge", "statement"]
        widgets = {"reported_on": DATE_WIDGET, "statement": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "revision")
        super().__init__(*args, **kwargs)


class DischargeDecisionForm(MemberForm):
    date_field = "decided_on"

    class Meta:
        model = DischargeDecision
        fields = ["organisation", "decided_on", "decided_by", "minutes_reference", "granted", "comment"]
        widgets = {"decided_on": DATE_WIDGET, "comment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "ansvarsfrihet")
        super().__init__(*args, **kwargs)


def _record(*, report: Plan, model, values: dict, by, summary: str):
    if user_role(by, report.association) != Membership.Role.CHIEF:
        raise PermissionDenied(_("Bara förbundschefen kan registrera revision och ansvarsfrihet."))
    with plan_change(report, by=by, lifecycle=PlanEvent.Action.AUDITED) as change:
        if not takes_discharge(report):
            raise ValidationError(
                _("Revision och ansvarsfrihet registreras för en fastställd årsredovisning.")
            )
        organisation = values.pop("organisation")
        record, _created = model.objects.update_or_create(
            report=report, organisation=organisation, defaults=values | {"recorded_by": by}
        )
        change.record(
            PlanEvent.Action.AUDITED,
            summary % {"member": organisation.name},
            {"organisation": organisation.pk, "model": model._meta.model_name},
        )
    return record


def auditors_report_save(*, report: Plan, values: dict, by) -> AuditorsReport:
    """Record (or correct) a member's auditors' report. Refused for anything but an adopted annual report
    (ValidationError) and for anyone but the chief (PermissionDenied). One history event."""
    return _record(
        report=report,
        model=AuditorsReport,
        values=dict(values),
        by=by,
        summary=_("Revisionsberättelse från %(member)s"),
    )


def discharge_decision_save(*, report: Plan, values: dict, by) -> DischargeDecision:
    """Record (or correct) a member's decision on discharge; refused as `auditors_report_save` is."""
    return _record(
        report=report,
        model=DischargeDecision,
        values=dict(values),
        by=by,
        summary=_("Beslut om ansvarsfrihet från %(member)s"),
    )


def discharge_overview(
    report: Plan,
) -> list[tuple[Organisation, AuditorsReport | None, DischargeDecision | None]]:
    """Each member with its auditors' report and discharge decision (None: not recorded). Three queries."""
    audits = {row.organisation_id: row for row in report.auditors_reports.all()}
    decisions = {row.organisation_id: row for row in report.discharge_decisions.all()}
    return [(member, audits.get(member.pk), decisions.get(member.pk)) for member in members_of(report)]


DISCHARGE = PartKind(
    key="discharge",
    models=(AuditorsReport, DischargeDecision),
    copy=lambda job: None,  # recorded on the adopted annual report, which is never copied
    documents=frozenset({Plan.Kind.ANNUAL_REPORT}),
)


def register_discharge() -> None:
    register(DISCHARGE)
