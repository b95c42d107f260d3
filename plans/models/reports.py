"""What the members decide on an adopted annual report: each member's auditors' report and its decision
on discharge (ansvarsfrihet) for the board. Recorded beside the adopted report, never in it: the frozen
report is the document the auditors and the members read (`plans.reports`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from finsam.models import Organisation
from plans.models.document import Plan


class AuditorsReport(models.Model):
    """A member's auditors' report (revisionsberättelse) on the association's annual report."""

    report = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="auditors_reports")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("medlem")
    )
    reported_on = models.DateField(_("revisionsberättelsens datum"))
    recommends_discharge = models.BooleanField(
        _("revisorerna tillstyrker ansvarsfrihet"),
        default=True,
        help_text=_("Avmarkera om revisorerna avstyrker ansvarsfrihet för styrelsen."),
    )
    statement = models.TextField(_("revisorernas bedömning"), max_length=4000, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("revisionsberättelse")
        verbose_name_plural = _("revisionsberättelser")
        ordering = ["report", "organisation__position", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["report", "organisation"], name="auditors_report_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.reported_on}"


class DischargeDecision(models.Model):
    """A member's decision whether the board is discharged from liability for the year (ansvarsfrihet)."""

    report = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="discharge_decisions")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("medlem")
    )
    decided_on = models.DateField(_("beslutsdatum"))
    decided_by = models.CharField(
        _("beslutat av"),
        max_length=200,
        help_text=_("Till exempel kommunfullmäktige eller regionfullmäktige."),
    )
    minutes_reference = models.CharField(
        _("protokollsparagraf"), max_length=40, help_text=_("Till exempel §112.")
    )
    granted = models.BooleanField(_("ansvarsfrihet beviljad"), default=True)
    comment = models.TextField(_("kommentar"), max_length=4000, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("beslut om ansvarsfrihet")
        verbose_name_plural = _("beslut om ansvarsfrihet")
        ordering = ["report", "organisation__position", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["report", "organisation"], name="discharge_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.decided_on}"
