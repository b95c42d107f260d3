"""The member contributions page: its forms, and what the page shows of the computed split.

- `ContributionKeyFormSet`: the association's key that splits the municipalities' 25 %, one form per
  factor (name, weight in %, one value per member municipality). It reads what was typed; the rules of a
  key (weights add up to 100, only member municipalities...) are the service's (`contribution_key_set`).
- `ContributionOverrideForm` / `ContributionOverrideClearForm`: the chief's override of one part for one
  column, with a reason, and its removal.
- `contributions_view_model(plan, budget)`: the split as `budgets.calc` computed it, row by row, with the
  overrides and their reasons, and the parts as they would be without overrides (`calc.contribution_rows`
  without overrides). The sum of the parts is calc's `BudgetResult.contribution_income`; the only
  arithmetic here is the difference between that sum and the typed total, and the municipalities'
  computed parts added up where one override replaced them together.
- `key_fingerprint` / `overrides_fingerprint`: what the page was built from, posted back with a form, so a
  save made on an outdated page is answered with a conflict (409) instead of silently replacing
  someone else's change.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgets.calc import BudgetResult, contribution_rows, municipality_key_weights
from budgets.models import BudgetColumn, ContributionKeyValue, ContributionOverride
from finsam.models import Organisation
from finsam.money import parse_amount, to_decimal
from plans.models import Plan

KEY_PREFIX = "nyckel"
SPACES = re.compile(r"[ \u00a0\u202f\u2009\u2007\t]+")
# ContributionKeyValue.value: 14 digits, 4 of them decimals; weights: 0–100 with 2 decimals.
MAX_KEY_VALUE = Decimal("9999999999.9999")
MAX_FACTORS = 20
VALUE_FIELD = re.compile(rf"^{KEY_PREFIX}-(\d+)-value_(\d+)$")


def parse_key_number(text: str, *, decimals: int) -> Decimal:
    """A number typed the Swedish way ("6 000", "33,33", "25 %") as a non-negative `Decimal`.

    Raises `ValidationError` (Swedish) for anything else."""
    cleaned = SPACES.sub("", text or "").removesuffix("%").replace("\u2212", "-")
    if not cleaned:
        raise ValidationError(_("Skriv ett tal."), code="required")
    if "." in cleaned:
        raise ValidationError(_("Skriv decimaler med komma, till exempel 12,5."), code="decimal_point")
    if not re.fullmatch(r"-?[0-9]+(,[0-9]+)?", cleaned):
        raise ValidationError(_("Skriv ett tal med siffror, till exempel 6 000 eller 12,5."), code="invalid")
    try:
        number = Decimal(cleaned.replace(",", "."))
    except InvalidOperation as error:  # pragma: no cover - the pattern above admits only numbers
        raise ValidationError(_("Skriv ett tal med siffror."), code="invalid") from error
    if number < 0:
        raise ValidationError(_("Talet får inte vara negativt."), code="negative")
    if number != round(number, decimals):
        raise ValidationError(
            _("Skriv högst %(decimals)s decimaler.") % {"decimals": decimals}, code="decimals"
        )
    return number


def number_input_text(value: Decimal | None) -> str:
    """A stored key number as it goes back into an input: `6000`, `12,5` (no trailing zeros)."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")


# --- The key ----------------------------------------------------------------------------------------


def is_municipality_member(organisation: Organisation) -> bool:
    return organisation.is_member and organisation.kind == Organisation.Kind.MUNICIPALITY


def key_municipalities(plan: Plan) -> list[Organisation]:
    """The association's member municipalities, in the association's order: the key's rows."""
    return list(
        plan.association.organisations.filter(is_member=True, kind=Organisation.Kind.MUNICIPALITY).order_by(
            "position", "id"
        )
    )


def has_key(plan: Plan, municipalities: list[Organisation]) -> bool:
    """Whether the key splits the municipalities one by one (as `budgets.calc` decides: more than one
    municipality and a factor with a value above zero among them)."""
    return (
        len(municipalities) > 1
        and plan.contribution_factors.filter(
            values__value__gt=0, values__organisation__in=municipalities
        ).exists()
    )


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
            weight = parse_key_number(data["weight"], decimals=2)
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
                number = parse_key_number(text, decimals=4)
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


def key_fingerprint(plan: Plan) -> str:
    """A short digest of the plan's key as it is stored now."""
    values = ContributionKeyValue.objects.filter(factor__plan=plan).order_by("factor_id", "organisation_id")
    parts = [
        f"{factor.pk}:{factor.name}:{factor.weight_percent}"
        for factor in plan.contribution_factors.order_by("position", "id")
    ] + [f"{value.factor_id}:{value.organisation_id}:{value.value}" for value in values]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


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


def overrides_fingerprint(plan: Plan) -> str:
    """A short digest of the plan's overrides and the totals they replace parts of."""
    parts = [
        f"{column.pk}:{column.version}:{column.contributions_total}"
        for column in plan.budget_columns.order_by("pk")
    ] + [
        f"{override.pk}:{override.version}"
        for override in ContributionOverride.objects.filter(column__plan=plan).order_by("pk")
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


# --- What the page shows ----------------------------------------------------------------------------


@dataclass
class PartCell:
    year: int
    amount: Decimal | None
    overrides: list[ContributionOverride] = field(default_factory=list)
    computed: Decimal | None = None  # the part without any override

    @property
    def overridden(self) -> bool:
        return bool(self.overrides)


@dataclass
class PartRow:
    label: str
    part: str  # state | region | municipalities | municipality
    organisation: Organisation | None
    cells: list[PartCell]

    @property
    def reasons(self) -> list[tuple[int, str]]:
        return [
            (cell.year, override.reason)
            for cell in self.cells
            for override in cell.overrides
            if override.reason
        ]

    @property
    def overridden(self) -> bool:
        return any(cell.overridden for cell in self.cells)


@dataclass
class OverrideEntry:
    override: ContributionOverride
    label: str
    computed: Decimal | None
    in_effect: bool


@dataclass
class ColumnSummary:
    column: BudgetColumn
    total: Decimal | None  # the typed total
    parts_sum: Decimal | None  # what the budget counts: the parts, overrides included

    @property
    def difference(self) -> Decimal | None:
        if self.total is None or self.parts_sum is None:
            return None
        return self.parts_sum - self.total


@dataclass
class ContributionsViewModel:
    columns: list[BudgetColumn]
    has_group: bool
    rows: list[PartRow]
    summaries: list[ColumnSummary]
    municipalities: list[Organisation]
    per_municipality: bool
    shares: list[tuple[Organisation, Decimal]]  # each municipality's share of the municipalities' part, %
    overrides: list[OverrideEntry]
    part_choices: list
    factors: list  # the stored key, for reading
    factor_values: list[tuple[Organisation, list[Decimal | None]]]

    @property
    def has_differences(self) -> bool:
        return any(summary.difference for summary in self.summaries)


def _row_part(row, *, per_municipality: bool) -> tuple[str, Organisation | None]:
    kinds = {org.kind for org in row.organisations}
    if kinds == {Organisation.Kind.STATE} or (not kinds and row.label == _("Staten")):
        return ContributionOverride.Part.STATE, None
    if kinds == {Organisation.Kind.REGION} or (not kinds and row.label == _("Regionen")):
        return ContributionOverride.Part.REGION, None
    if per_municipality and len(row.organisations) == 1:
        return ContributionOverride.Part.MUNICIPALITY, row.organisations[0]
    return ContributionOverride.Part.MUNICIPALITIES, None


def contributions_view_model(plan: Plan, budget: BudgetResult) -> ContributionsViewModel:
    """The page's numbers, all from `budgets.calc`: the budget's contribution rows (overrides included),
    the same split without overrides (what an override replaced), and each municipality's share."""
    organisations = list(plan.association.organisations.order_by("position", "id"))
    municipalities = [org for org in organisations if is_municipality_member(org)]
    factors = list(plan.contribution_factors.prefetch_related("values").order_by("position", "id"))
    weights = municipality_key_weights(factors, {org.pk for org in municipalities})
    per_municipality = bool(weights) and len(municipalities) > 1
    overrides = list(
        ContributionOverride.objects.filter(column__plan=plan).select_related("column", "organisation")
    )
    by_key = {(o.column.year, o.part, o.organisation_id): o for o in overrides}

    groups = [g for g in budget.revenue_groups if g.group.kind == g.group.Kind.CONTRIBUTIONS]
    rows = [row for g in groups for row in g.rows]
    plain = contribution_rows(
        columns=budget.columns, organisations=organisations, key_weights=weights or None, overrides={}
    )
    plain_by_label = {row.label: row for row in plain}
    columns = list(budget.columns)

    part_rows = []
    for row in rows:
        part, organisation = _row_part(row, per_municipality=per_municipality)
        plain_row = plain_by_label.get(row.label)
        cells = []
        for column in columns:
            year = column.year
            keys = [(year, part, organisation.pk if organisation else None)]
            if part == ContributionOverride.Part.MUNICIPALITY:
                keys.append((year, ContributionOverride.Part.MUNICIPALITIES, None))
            elif part == ContributionOverride.Part.MUNICIPALITIES and len(municipalities) == 1:
                keys.append((year, ContributionOverride.Part.MUNICIPALITY, municipalities[0].pk))
            applied = [by_key[key] for key in keys if key in by_key and year in row.overridden_years]
            cells.append(
                PartCell(
                    year=year,
                    amount=row.amounts.get(year),
                    overrides=applied,
                    computed=plain_row.amounts.get(year) if plain_row else None,
                )
            )
        part_rows.append(PartRow(row.label, part, organisation, cells))

    income = budget.contribution_income if groups else {}
    summaries = [
        ColumnSummary(
            column=column,
            total=None if column.contributions_total is None else to_decimal(column.contributions_total),
            parts_sum=income.get(column.year) if column.contributions_total is not None else None,
        )
        for column in columns
    ]

    # What each override replaced: the computed part of its row, or for the municipalities' part
    # together (split per municipality by the key) the sum of their computed parts.
    plain_municipal = {
        column.year: sum(
            (
                cell.computed or Decimal(0)
                for part_row in part_rows
                if part_row.part == ContributionOverride.Part.MUNICIPALITY
                for cell in part_row.cells
                if cell.year == column.year
            ),
            Decimal(0),
        )
        for column in columns
    }

    def computed_for(override: ContributionOverride) -> tuple[Decimal | None, bool]:
        """(the computed amount it replaces, whether it applies at all)."""
        year = override.column.year
        cell = next(
            (c for r in part_rows for c in r.cells if c.year == year and override in c.overrides), None
        )
        if cell is None:  # e.g. one municipality's override after the key was removed
            return None, False
        if override.part == ContributionOverride.Part.MUNICIPALITIES and per_municipality:
            return plain_municipal[year], True
        return cell.computed, True

    entries = []
    for override in sorted(overrides, key=lambda o: (o.column.year, o.part, o.organisation_id or 0)):
        computed, in_effect = computed_for(override)
        label = (
            override.organisation.name
            if override.part == ContributionOverride.Part.MUNICIPALITY and override.organisation
            else (
                _("Kommunerna tillsammans")
                if override.part == "municipalities"
                else override.get_part_display()
            )
        )
        entries.append(OverrideEntry(override, label, computed, in_effect))

    weight_sum = sum(weights.values(), Decimal(0))
    shares = (
        [(org, weights.get(org.pk, Decimal(0)) * 100 / weight_sum) for org in municipalities]
        if weight_sum > 0
        else []
    )
    return ContributionsViewModel(
        columns=columns,
        has_group=bool(groups),
        rows=part_rows,
        summaries=summaries,
        municipalities=municipalities,
        per_municipality=per_municipality,
        shares=shares,
        overrides=entries,
        part_choices=part_choices(plan, municipalities=municipalities, per_municipality=per_municipality),
        factors=factors,
        factor_values=[
            (
                org,
                [
                    next((v.value for v in factor.values.all() if v.organisation_id == org.pk), None)
                    for factor in factors
                ],
            )
            for org in municipalities
        ],
    )
