"""The year's follow-up of an adopted plan's goals: each indicator's outcome and the judgement of it.

The adopted plan itself never changes; its follow-up is a record of its own, written through the year
and read by the annual report."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from finsam.editing import Versioned
from plans.models.document import Indicator


class IndicatorOutcome(Versioned):
    class Judgement(models.TextChoices):
        MET = "met", _("Uppfyllt")
        PARTLY = "partly", _("Delvis uppfyllt")
        NOT_MET = "not_met", _("Ej uppfyllt")

    indicator = models.OneToOneField(Indicator, on_delete=models.CASCADE, related_name="outcome")
    value = models.CharField(_("utfall"), max_length=500, blank=True)
    judgement = models.CharField(_("bedömning"), max_length=10, choices=Judgement.choices, blank=True)
    comment = models.TextField(_("kommentar"), max_length=4000, blank=True)
    updated_at = models.DateTimeField(_("senast ändrad"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("indikatorns utfall")
        verbose_name_plural = _("indikatorernas utfall")

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value or '–'}"
