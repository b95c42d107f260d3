"""Forms for interventions: the intervention itself, its granted amount per year, and inviting its insats
owner."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from finsam.forms import EMAIL_ERRORS, EMAIL_MAX_LENGTH, RecordForm
from finsam.models import Organisation
from finsam.money import amount_input_text, parse_amount
from finsam.validators import YEAR_VALIDATORS
from interventions.models import Intervention, InterventionYear
from interventions.services import (
    EDITABLE_FIELDS,
    MIN_MEMBERS,
    grant_changes_refused,
    locked_years,
    members_taking_part,
    too_few_members_message,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class InterventionForm(forms.ModelForm):
    """Everything but the grants. Organisations are limited to the association's own."""

    class Meta:
        model = Intervention
        fields = [*EDITABLE_FIELDS[:5], "co_owners", "partners", *EDITABLE_FIELDS[5:]]
        widgets = {
            "partners": forms.CheckboxSelectMultiple,
            "co_owners": forms.CheckboxSelectMultiple,
            "start_date": DateInput(),
            "end_date": DateInput(),
            **{
                name: forms.Textarea(attrs={"rows": 4})
                for name in (
                    "purpose",
                    "target_group",
                    "goals_short",
                    "goals_long",
                    "actions",
                    "follow_up",
                    "steering",
                    "implementation",
                )
            },
        }
        help_texts = {
            "partners": _("Minst två av förbundets medlemmar ska delta. Ägaren räknas med."),
            "purpose": _("Markdown. HTML visas inte."),
        }

    def __init__(self, *args, association, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.association = association
        organisations = association.organisations.order_by("position", "name")
        self.fields["owner"].queryset = organisations
        self.fields["partners"].queryset = organisations
        self.fields["co_owners"].queryset = organisations
        self.fields["municipality"].queryset = organisations.filter(kind=Organisation.Kind.MUNICIPALITY)
        self.fields["owner"].empty_label = _("Ingen angiven")
        self.fields["municipality"].empty_label = _("Ingen särskild kommun")
        self.fields["partners"].label_from_instance = lambda org: (
            org.name if org.is_member else _("%(name)s (ej medlem)") % {"name": org.name}
        )
        self.fields["name"].error_messages["required"] = _("Skriv insatsens namn.")

    def clean(self):
        cleaned = super().clean()
        partners = cleaned.get("partners")
        if partners is not None and "owner" not in self.errors:
            members = members_taking_part(
                owner=cleaned.get("owner"), partners=partners, co_owners=cleaned.get("co_owners") or ()
            )
            if len(members) < MIN_MEMBERS:
                self.add_error("partners", too_few_members_message())
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("Slutdatum kan inte ligga före startdatum."))
        return cleaned

    def _post_clean(self):
        # The model's own clean() repeats the date rule; keep one message, next to the end date.
        super()._post_clean()
        errors = self.errors.get("end_date")
        if errors and len(errors) > 1:
            self.errors["end_date"] = self.error_class(list(dict.fromkeys(errors)))

    @property
    def changes(self) -> dict:
        """The intervention's fields as the service takes them."""
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class GrantForm(forms.Form):
    year = forms.IntegerField(
        label=_("År"),
        required=False,
        validators=YEAR_VALIDATORS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-year"}),
        error_messages={"invalid": _("Skriv året med fyra siffror.")},
    )
    amount = forms.CharField(
        label=_("Beviljat belopp (kr)"),
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "class": "input-amount"}
        ),
    )

    def clean_amount(self) -> Decimal | None:
        text = self.cleaned_data["amount"]
        if not text.strip():
            return None
        value = parse_amount(text, "kr")
        if value < 0:
            raise ValidationError(_("Beviljat belopp kan inte vara negativt."))
        return value

    def clean(self):
        cleaned = super().clean()
        year, amount = cleaned.get("year"), cleaned.get("amount")
        if year is None and amount is not None and "year" not in self.errors:
            self.add_error("year", _("Skriv vilket år beloppet gäller."))
        if year is not None and amount is None and "amount" not in self.errors:
            self.add_error("amount", _("Skriv beviljat belopp för %(year)s.") % {"year": year})
        return cleaned


class BaseGrantFormSet(forms.BaseFormSet):
    """Grants per year: one row per year, whole kronor, none negative. With `intervention`, a change
    in a year that an adopted plan covers is refused (the plan would change after its adoption)."""

    def __init__(self, *args, intervention: Intervention | None = None, **kwargs):
        self.intervention = intervention
        self.locked_years = locked_years(intervention) if intervention is not None else {}
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # A year an adopted plan covers shows as read-only; the server refuses a change all the same.
        year = form.initial.get("year")
        if year in self.locked_years:
            form.locked_plan = self.locked_years[year]
            for name in ("year", "amount"):
                form.fields[name].widget.attrs["readonly"] = True
            form.fields["DELETE"].disabled = True

    @classmethod
    def initial_for(cls, intervention: Intervention | None) -> list[dict]:
        if intervention is None:
            return []
        return [
            {"year": grant.year, "amount": amount_input_text(grant.amount.amount, "kr")}
            for grant in intervention.grants.all()
        ]

    @property
    def grants(self) -> dict[int, Decimal]:
        return {
            form.cleaned_data["year"]: form.cleaned_data["amount"]
            for form in self.forms
            if form.cleaned_data.get("year") is not None
            and form.cleaned_data.get("amount") is not None
            and not (self.can_delete and self._should_delete_form(form))
        }

    def clean(self):
        if any(self.errors):
            return
        seen: set[int] = set()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            year = form.cleaned_data.get("year")
            if year is None:
                continue
            if year in seen:
                form.add_error(
                    "year", _("År %(year)s finns redan. Skriv ett belopp per år.") % {"year": year}
                )
            seen.add(year)
        if any(self.errors):
            return
        if self.intervention is not None and self.intervention.pk:
            problems = grant_changes_refused(self.intervention, self.grants)
            if problems:
                raise ValidationError(problems)


GrantFormSet = forms.formset_factory(GrantForm, formset=BaseGrantFormSet, extra=2, can_delete=True)


class EndForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    end_date = forms.DateField(
        label=_("Slutdatum"),
        widget=DateInput(),
        error_messages={
            "required": _("Skriv insatsens slutdatum."),
            "invalid": _("Skriv ett datum (ÅÅÅÅ-MM-DD)."),
        },
    )


class InterventionYearForm(RecordForm):
    """An insats's follow-up of a year."""

    model = InterventionYear
    field_names = (*InterventionYear.PLANNED, *InterventionYear.ACTUAL, "report")
    widgets = {
        **{
            name: forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})
            for name in (*InterventionYear.PLANNED, *InterventionYear.ACTUAL)
        },
        "report": forms.Textarea(attrs={"rows": 8}),
    }
    help_texts = {"report": _("Vad insatsen gjorde och uppnådde under året, med egna ord.")}

    def planned_fields(self):
        return [self[name] for name in InterventionYear.PLANNED]

    def actual_fields(self):
        return [self[name] for name in InterventionYear.ACTUAL]


class OwnerInvitationForm(forms.Form):
    """The chief invites an insats owner (insatsansvarig) for this insats by e-mail address."""

    email = forms.EmailField(
        label=_("E-postadress"),
        max_length=EMAIL_MAX_LENGTH,
        error_messages=EMAIL_ERRORS,
        help_text=_(
            "Den insatsansvariga får en länk med e-post och rapporterar insatsen när hen har tagit emot den."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "insatsansvarig-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
