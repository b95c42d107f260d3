"""Forms of the budget pages: the import, and the member contributions (the key and the overrides).

- `ContributionKeyFormSet`: the association's key that splits the municipalities' 25 %, one form per
  factor (name, weight in %, one value per member municipality). It reads what was typed; the rules of a
  key (weights add up to 100, only member municipalities...) are the service's (`contribution_key_set`).
- `ContributionOverrideForm` / `ContributionOverrideClearForm`: the chief's override of one part for one
  column, with a reason, and its removal.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgets.imports.files import MAX_UPLOAD_BYTES, read_upload, too_large_message
from budgets.imports.memory import parse_with_readings
from budgets.imports.parse import MAX_TEXT_LENGTH, BudgetParseError
from budgets.models import BudgetColumn, ContributionOverride
from budgets.outcome_import import OutcomeFileError, read_outcome_file
from budgets.sie import MAX_BYTES
from finsam.models import Association, Organisation
from finsam.money import number_input_text, parse_amount, parse_number
from plans.models import Plan

KEY_PREFIX = "nyckel"
# ContributionKeyValue.value: 14 digits, 4 of them decimals; weights: 0–100 with 2 decimals.
MAX_KEY_VALUE = Decimal("9999999999.9999")
MAX_FACTORS = 20
VALUE_FIELD = re.compile(rf"^{KEY_PREFIX}-(\d+)-value_(\d+)$")


class BudgetImportForm(forms.Form):
    """A pasted table or an uploaded file, read into `cleaned_data["parsed"]` (a `ParsedBudget`).

    The confirm step posts the same form again with the table's text (for a file: the text it was read
    into), the user's corrections of the preview's readings and the plan's version at the preview; it is
    parsed again, never taken from the server. `cleaned_data["overrides"]` holds the corrections that
    differ from finsam's own reading.
    """

    text = forms.CharField(
        label=gettext_lazy("Klistra in budgettabellen"),
        help_text=_(
            "Markera tabellen i Word eller Excel, kopiera och klistra in här: rubrikraden med åren, "
            "rubriker, rader och summarader."
        ),
        required=False,
        strip=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "max_length": gettext_lazy(
                "Texten är för lång för en budgettabell (högst %(limit_value)d tecken)."
            )
        },
    )
    file = forms.FileField(
        label=gettext_lazy("… eller välj en fil"),
        help_text=gettext_lazy("En Excel-arbetsbok (.xlsx) eller en textfil, högst 2 MB."),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.txt,.tsv,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/plain"
            }
        ),
        error_messages={
            "invalid": gettext_lazy("Filen kunde inte tas emot. Välj den igen."),
            "empty": gettext_lazy("Filen är tom."),
            "missing": gettext_lazy("Filen kom inte fram. Välj den igen."),
        },
    )
    unit = forms.ChoiceField(
        label=gettext_lazy("Enhet"),
        choices=[
            ("", gettext_lazy("Som tabellen anger (annars kronor)")),
            ("kr", gettext_lazy("kronor")),
            ("tkr", gettext_lazy("tusental kronor (tkr)")),
        ],
        required=False,
    )
    only_columns = forms.BooleanField(
        label=gettext_lazy("Fyll bara tabellens år"),
        help_text=gettext_lazy(
            "Kolumnerna för tabellens år läggs till eller ersätts; planens övriga kolumner, grupper och "
            "rader behålls. Till exempel en tabell per år."
        ),
        required=False,
    )
    source = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, association: Association | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.association = association

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            # Checked on the size Django already knows, before reading a byte of it.
            raise forms.ValidationError(too_large_message(upload.size))
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        text, upload = cleaned.get("text") or "", cleaned.get("file")
        if upload and text.strip():
            raise forms.ValidationError(
                gettext_lazy("Klistra in en tabell eller välj en fil, inte båda."), code="both"
            )
        field = "file" if upload else "text"
        try:
            if upload:
                text, source = read_upload(upload.name, upload.read())
            else:
                source = cleaned.get("source") or gettext_lazy("inklistrad tabell")
            # The preview's corrections (`row_<n>`, `col_<i>`) and the association's remembered readings.
            parsed, overrides = parse_with_readings(
                text, unit=cleaned.get("unit") or None, association=self.association, posted=self.data
            )
        except BudgetParseError as error:
            for message in error.messages:
                self.add_error(field, message)
            return cleaned
        cleaned["parsed"] = parsed
        cleaned["overrides"] = overrides
        cleaned["source"] = str(source)
        return cleaned


# --- The contribution key ------------------------------------------------------------------------------


class KeyFactorForm(forms.Form):
    """One factor of the key: its name, its weight and a value for each member municipality.

    The value fields are named `value_<organisation id>` and exist only for the association's member
    municipalities (`municipalities`)."""

    name = forms.CharField(
        label=gettext_lazy("Fördelningsgrund"),
        max_length=200,
        required=False,
        error_messages={"max_length": gettext_lazy("Namnet får vara högst %(limit_value)d tecken.")},
    )
    weight = forms.CharField(label=gettext_lazy("Vikt (%)"), max_length=20, required=False)

    def __init__(self, *args, municipalities: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.municipalities = municipalities
        for organisation in municipalities:
            self.fields[f"value_{organisation.pk}"] = forms.CharField(
                label=organisation.name, max_length=30, required=False
            )

    def value_field(self, organisation: Organisation) -> forms.BoundField:
        return self[f"value_{organisation.pk}"]

    @property
    def is_blank(self) -> bool:
        """Nothing typed in any field: the form is left out of the key."""
        data = getattr(self, "cleaned_data", None) or {}
        return not any((data.get(name) or "").strip() for name in self.fields if name != "DELETE")

    def clean(self):
        data = super().clean()
        if self.is_blank or data.get("DELETE"):
            return data
        if not (data.get("name") or "").strip():
            self.add_error("name", _("Ange ett namn, till exempel Befolkning 16–64 år."))
        try:
            if not (data.get("weight") or "").strip():
                raise ValidationError(_("Ange vikten i procent, 0–100."))
            weight = parse_number(data["weight"], decimals=2)
            if weight > 100:
                raise ValidationError(_("Vikten ska vara högst 100 %."))
            data["weight_value"] = weight
        except ValidationError as error:
            self.add_error("weight", error.messages[0])
        values = {}
        for organisation in self.municipalities:
            name = f"value_{organisation.pk}"
            text = data.get(name, "")
            if not text.strip():
                self.add_error(name, _("Ange ett värde, 0 om kommunen inte ska räknas med."))
                continue
            try:
                number = parse_number(text, decimals=4)
                if number > MAX_KEY_VALUE:
                    raise ValidationError(_("Talet är för stort."))
            except ValidationError as error:
                self.add_error(name, error.messages[0])
                continue
            values[organisation] = number
        data["values"] = values
        return data


class BaseContributionKeyFormSet(forms.BaseFormSet):
    def __init__(self, *args, municipalities: list[Organisation], **kwargs):
        self.municipalities = municipalities
        kwargs.setdefault(
            "error_messages",
            {
                "missing_management_form": _(
                    "Formuläret kom inte fram helt. Ladda om sidan och försök igen."
                ),
                "too_many_forms": _("Nyckeln kan ha högst %(num)d fördelningsgrunder."),
            },
        )
        super().__init__(*args, prefix=KEY_PREFIX, form_kwargs={"municipalities": municipalities}, **kwargs)

    def clean(self):
        """A value posted for anything but a member municipality of this association refuses the whole
        key: it is never looked up (it may be another association's), and nothing is saved."""
        known = {organisation.pk for organisation in self.municipalities}
        stray = sorted(
            {
                int(match[2])
                for key in self.data
                if (match := VALUE_FIELD.match(key)) and int(match[2]) not in known
            }
        )
        if stray:
            raise ValidationError(
                [
                    _(
                        "Organisationen med id %(id)s är inte en medlemskommun i förbundet och kan inte ingå i nyckeln."
                    )
                    % {"id": organisation_id}
                    for organisation_id in stray
                ]
            )

    def municipality_rows(self) -> list[tuple[Organisation, list[forms.BoundField]]]:
        """For the table: one row per municipality, its value input in every factor's column."""
        return [(org, [form.value_field(org) for form in self.forms]) for org in self.municipalities]

    def factors(self) -> list[tuple]:
        """The key as the service takes it: `[(name, weight, {organisation: value})]` (after is_valid)."""
        return [
            (
                form.cleaned_data["name"].strip(),
                form.cleaned_data["weight_value"],
                form.cleaned_data["values"],
            )
            for form in self.forms
            if not form.is_blank and not form.cleaned_data.get("DELETE")
        ]


def _formset_class(extra: int) -> type[BaseContributionKeyFormSet]:
    return forms.formset_factory(
        KeyFactorForm,
        formset=BaseContributionKeyFormSet,
        extra=extra,
        can_delete=True,
        max_num=MAX_FACTORS,
        absolute_max=MAX_FACTORS,
    )


def key_formset(
    plan: Plan, *, municipalities: list[Organisation], data=None, extra: int | None = None
) -> BaseContributionKeyFormSet:
    """The key's formset: bound to `data`, or showing the plan's key with `extra` empty factors (one
    empty factor when the plan has no key yet, none otherwise)."""
    initial = []
    for factor in plan.contribution_factors.prefetch_related("values").order_by("position", "id"):
        row = {"name": factor.name, "weight": number_input_text(factor.weight_percent)}
        for value in factor.values.all():
            row[f"value_{value.organisation_id}"] = number_input_text(value.value)
        initial.append(row)
    if extra is None:
        extra = 0 if initial else 1
    formset_class = _formset_class(extra)
    if data is not None:
        return formset_class(data, municipalities=municipalities)
    return formset_class(initial=initial, municipalities=municipalities)


def formset_with_one_more(formset: BaseContributionKeyFormSet) -> BaseContributionKeyFormSet:
    """The key as typed, unsaved and unchecked, with one more empty factor ("Lägg till fördelningsgrund")."""
    initial = [
        {name: form[name].value() for name in form.fields} for form in formset.forms[: MAX_FACTORS - 1]
    ]
    return _formset_class(1)(initial=initial, municipalities=formset.municipalities)


# --- Overrides --------------------------------------------------------------------------------------

MUNICIPALITY_PREFIX = "municipality:"


def part_choices(plan: Plan, *, municipalities: list[Organisation], per_municipality: bool) -> list:
    choices = [
        (ContributionOverride.Part.STATE, ContributionOverride.Part.STATE.label),
        (ContributionOverride.Part.REGION, ContributionOverride.Part.REGION.label),
        (ContributionOverride.Part.MUNICIPALITIES, _("Kommunerna tillsammans")),
    ]
    if per_municipality:
        choices += [(f"{MUNICIPALITY_PREFIX}{org.pk}", org.name) for org in municipalities]
    return choices


def parse_part(value: str) -> tuple[str, int | None]:
    """`state` → ("state", None); `municipality:12` → ("municipality", 12)."""
    if value.startswith(MUNICIPALITY_PREFIX):
        try:
            return ContributionOverride.Part.MUNICIPALITY, int(value.removeprefix(MUNICIPALITY_PREFIX))
        except ValueError:
            return "", None
    return value, None


class ContributionOverrideForm(forms.Form):
    column = forms.ModelChoiceField(
        label=gettext_lazy("År"),
        queryset=BudgetColumn.objects.none(),
        empty_label=None,
        error_messages={
            "required": gettext_lazy("Välj ett år."),
            "invalid_choice": gettext_lazy("Välj ett av planens år."),
        },
    )
    part = forms.ChoiceField(
        label=gettext_lazy("Del"),
        error_messages={
            "required": gettext_lazy("Välj vilken del som ska justeras."),
            "invalid_choice": gettext_lazy("Välj en av delarna i listan."),
        },
    )
    amount = forms.CharField(
        label=gettext_lazy("Belopp i kronor"),
        max_length=40,
        error_messages={"required": gettext_lazy("Skriv beloppet i hela kronor.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Skäl"),
        max_length=300,
        help_text=gettext_lazy(
            "Visas vid beloppet, till exempel ”Beslut i regionfullmäktige 2026-06-12 §45”."
        ),
        error_messages={
            "required": gettext_lazy("Skriv varför beloppet justeras."),
            "max_length": gettext_lazy("Skälet får vara högst %(limit_value)d tecken."),
        },
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, plan: Plan, choices: list, **kwargs):
        super().__init__(*args, prefix="justering", **kwargs)
        self.fields["column"].queryset = plan.budget_columns.filter(
            contributions_total__isnull=False
        ).order_by("year")
        self.fields["column"].label_from_instance = lambda column: (
            f"{column.get_kind_display()} {column.year}"
        )
        self.fields["part"].choices = choices

    def clean_amount(self) -> Decimal:
        amount = parse_amount(self.cleaned_data["amount"], "kr")
        if amount < 0:
            raise ValidationError(_("Beloppet får inte vara negativt."))
        return amount

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Skriv varför beloppet justeras."))
        return reason


class ContributionOverrideClearForm(forms.Form):
    """The removal of one override, named by its id and the version the page showed."""

    override = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)


class FollowUpSettingsForm(forms.ModelForm):
    """The association's follow-up period and deviation limits (budgets.followup)."""

    class Meta:
        model = Association
        fields = ["followup_period", "deviation_percent", "deviation_amount"]
        error_messages = {
            "deviation_percent": {
                "invalid": gettext_lazy("Skriv procentgränsen som ett heltal, till exempel 10."),
                "max_value": gettext_lazy("Procentgränsen kan vara högst 1000."),
                "min_value": gettext_lazy("Procentgränsen kan inte vara negativ."),
            },
            "deviation_amount": {
                "invalid": gettext_lazy("Skriv beloppsgränsen i hela kronor, till exempel 50000."),
                "min_value": gettext_lazy("Beloppsgränsen kan inte vara negativ."),
                "max_value": gettext_lazy("Beloppsgränsen är för stor."),
            },
        }


class OutcomeImportForm(forms.Form):
    """The year's outcome as a file from the accounting system (budgets.outcome_import), read into
    `cleaned_data["balances"]` for the plan's budget year."""

    file = forms.FileField(
        label=gettext_lazy("Fil från bokföringen"),
        help_text=gettext_lazy(
            "En SIE-fil av typ 4 (export från Fortnox, Visma och andra) eller en Excel-arbetsbok (.xlsx) "
            "med ett konto per rad och en kolumn per månad eller tertial."
        ),
        error_messages={"required": gettext_lazy("Välj en fil.")},
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(_("Filen är för stor (högst %(mb)s MB).") % {"mb": MAX_BYTES // 2**20})
        try:
            balances = read_outcome_file(upload.name or "", upload.read(), year=self.plan.first_year)
        except OutcomeFileError as error:
            raise ValidationError(str(error)) from None
        self.cleaned_data["balances"] = balances
        return upload
