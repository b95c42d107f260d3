"""Forms of the plan editor. Messages are Swedish; every choice is limited to the plan's association."""

from django import forms
from django.utils.translation import gettext_lazy as _

from finsam.forms import RecordForm
from finsam.models import BoardSeat
from finsam.money import format_amount, parse_amount, sek, to_decimal
from plans.gateway import BUDGET_SETTINGS
from plans.goal_categories import goal_categories
from plans.models import (
    ActivityItem,
    Chapter,
    CommunicationItem,
    ControlItem,
    Goal,
    Indicator,
    IndicatorOutcome,
    Plan,
    TargetGroup,
)
from plans.versions import version_label

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class VersionedForm(forms.ModelForm):
    """An edit form that carries the version the user started from (optimistic locking).

    `auto_id` is made unique per item, so that several open forms never share an element id.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, id_prefix: str = "", **kwargs):
        if id_prefix:
            kwargs.setdefault("auto_id", f"{id_prefix}-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["version"]
        else:
            self.fields["version"].initial = self.instance.version

    def clean(self):
        # A textarea posted without htmx (no JavaScript) sends its line breaks as CR LF, htmx as LF: store
        # one form, so that saving an unchanged text is no change (history, "what changed").
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str) and "\r" in value:
                cleaned[name] = value.replace("\r\n", "\n").replace("\r", "\n")
        return cleaned

    @property
    def content_fields(self) -> list[str]:
        """The model fields this form changes, in order."""
        return [name for name in self.fields if name != "version"]

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.content_fields}


class PlanSettingsForm(VersionedForm):
    # Typed the way people write amounts ("1 500 000"), read by the one amount parser.
    opening_equity = forms.CharField(
        label=_("Ingående eget kapital (kronor)"),
        required=False,
        max_length=40,
        help_text=_("Eget kapital vid ingången av budgetens första år. Lämna tomt om det inte är känt."),
    )

    class Meta:
        model = Plan
        fields = [
            "title",
            "first_year",
            "years",
            "unit",
            "decimals",
            "costs_negative",
            "opening_equity",
            "deficit_explanation",
        ]
        widgets = {"deficit_explanation": textarea(4)}
        labels = {"decimals": _("Decimaler när enheten är tkr")}

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.association = association
        self.fields["decimals"].widget = forms.Select(choices=[(0, "0"), (1, "1")])
        if self.instance.is_report:  # its year is its plan's, its figures the follow-up's (`plans.reports`)
            for name in ("first_year", "years", "opening_equity", "deficit_explanation"):
                del self.fields[name]
        if self.instance.budget_only:  # a revised budget keeps the adopted settings but its budget's
            for name in [name for name in self.content_fields if name not in BUDGET_SETTINGS]:
                del self.fields[name]
        if "opening_equity" in self.fields and not self.is_bound and self.instance.opening_equity is not None:
            self.initial["opening_equity"] = format_amount(
                to_decimal(self.instance.opening_equity), unit="kr"
            )

    def clean_opening_equity(self):
        text = (self.cleaned_data.get("opening_equity") or "").strip()
        if not text:
            return None
        return sek(parse_amount(text, "kr"))

    def clean(self):
        cleaned = super().clean()
        first_year = cleaned.get("first_year")
        if first_year is not None and not self.instance.is_report:  # a report's year is its plan's
            others = self.association.plans.filter(
                first_year=first_year, revision=self.instance.revision or 1, kind=Plan.Kind.PLAN
            )
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error(
                    "first_year",
                    _("Förbundet har redan en plan som börjar %(year)s.") % {"year": first_year},
                )
        if cleaned.get("unit") == Plan.Unit.KR:
            cleaned["decimals"] = 0
        return cleaned


class PlanCreateForm(PlanSettingsForm):
    opening_equity = None  # set later, in the settings or by the rollover

    class Meta(PlanSettingsForm.Meta):
        fields = ["title", "first_year", "years", "unit", "decimals", "costs_negative"]


class RolloverForm(forms.Form):
    """Start next year's plan from an adopted one (the chief picks which; the newest is preselected)."""

    source = forms.ModelChoiceField(
        label=_("Utgå från"),
        queryset=Plan.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Välj en fastställd plan i listan.")},
    )
    keep_forecast = forms.BooleanField(
        label=_("Behåll den gamla planens budgetår som prognoskolumn"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, association, **kwargs):
        kwargs.setdefault("auto_id", "forra-aret-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = association.plans.filter(
            state=Plan.State.ADOPTED, kind=Plan.Kind.PLAN
        ).order_by("-first_year", "-revision")
        self.fields["source"].label_from_instance = source_label


def source_label(plan: Plan) -> str:
    years = f"{plan.first_year}–{plan.last_year}" if plan.years > 1 else str(plan.first_year)
    return _("%(title)s (%(years)s, %(version)s)") % {
        "title": plan.title,
        "years": years,
        "version": version_label(plan),
    }


class ChapterForm(VersionedForm):
    class Meta:
        model = Chapter
        fields = ["heading", "level", "kind", "body", "years_intended"]
        widgets = {"body": textarea(12)}
        help_texts = {
            "body": _(
                "Markdown: tom rad mellan stycken, **fet**, *kursiv*, - punktlista, 1. numrerad lista."
            ),
            "kind": _("Ett kapitel kan visa en av planens delar efter sin text. Varje del visas en gång."),
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["level"].widget = forms.Select(choices=[(1, _("Kapitel")), (2, _("Underkapitel"))])
        # A plan's chapters show the plan's parts, a report's the follow-up (`Chapter.kinds_for`).
        self.fields["kind"].choices = Chapter.kinds_for(plan)
        if plan.is_report:
            self.fields["kind"].help_text = _(
                "Ett kapitel kan visa en del av uppföljningen efter sin text. Varje del visas en gång."
            )

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        if kind != Chapter.Kind.TEXT:
            taken = self.plan.chapters.filter(kind=kind)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                label = Chapter.Kind(kind).label
                raise forms.ValidationError(
                    _("Planen har redan ett kapitel som visar ”%(part)s”.") % {"part": label}
                )
        return kind


class GoalForm(VersionedForm):
    """A goal; its category is one of its association's (`plans.goal_categories`)."""

    class Meta:
        model = Goal
        fields = ["category", "title", "description", "years_intended"]
        widgets = {"title": textarea(2), "description": textarea(4)}

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = goal_categories(association)
        self.fields["category"].empty_label = _("(ingen kategori)")


class IndicatorForm(VersionedForm):
    class Meta:
        model = Indicator
        fields = ["text", "target", "method"]
        widgets = {"text": textarea(2), "method": textarea(2)}
        help_texts = {"target": _("Till exempel: minst 50 % i arbete eller studier efter 6 månader.")}


class TargetGroupForm(VersionedForm):
    class Meta:
        model = TargetGroup
        fields = ["name", "description"]
        widgets = {"description": textarea(3)}


class BoardSeatForm(VersionedForm):
    class Meta:
        model = BoardSeat
        fields = ["person_name", "role", "appointed_by", "term_start", "term_end"]
        widgets = {"term_start": DATE_WIDGET, "term_end": DATE_WIDGET}

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["appointed_by"]
        # Only the association's own members: an organisation of another association is not a choice.
        field.queryset = association.organisations.filter(is_member=True).order_by("position", "name")
        field.error_messages["invalid_choice"] = _("Välj en av förbundets medlemmar.")


class ControlItemForm(VersionedForm):
    class Meta:
        model = ControlItem
        fields = ["routine", "control_step", "responsible", "frequency", "method", "reported_to", "risk"]
        widgets = {"control_step": textarea(2)}


class CommunicationItemForm(VersionedForm):
    class Meta:
        model = CommunicationItem
        fields = ["audience", "channel", "frequency", "responsible"]
        widgets = {"channel": textarea(2)}


class ActivityItemForm(VersionedForm):
    class Meta:
        model = ActivityItem
        fields = ["activity", "starts_on", "done_by", "goal", "responsible"]
        widgets = {"starts_on": DATE_WIDGET, "done_by": DATE_WIDGET}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["goal"]
        # Only this plan's goals: a goal of another plan is not a choice.
        field.queryset = plan.goals.order_by("position", "id")
        field.empty_label = _("(inget särskilt mål)")
        field.error_messages["invalid_choice"] = _("Välj ett av planens mål.")


class IndicatorOutcomeForm(RecordForm):
    """An indicator's outcome for the year."""

    model = IndicatorOutcome
    field_names = ("value", "judgement", "comment")
    widgets = {"comment": forms.Textarea(attrs={"rows": 2})}
    help_texts = {"value": _("Det uppnådda värdet, till exempel ”72 %” eller ”41 deltagare”.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["judgement"].choices = [("", _("Ej bedömt")), *IndicatorOutcome.Judgement.choices]
