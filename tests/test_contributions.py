"""budgets.services: the contribution key and the chief's overrides, with their history."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from budgets.calc import plan_budget
from budgets.models import ContributionKeyFactor, ContributionKeyValue, ContributionOverride
from budgets.services import contribution_key_set, contribution_override_clear, contribution_override_set
from plans.gateway import PlanLocked
from plans.models import Plan, PlanEvent
from tests.factories import (
    BudgetColumnFactory,
    BudgetGroupFactory,
    OrganisationFactory,
    PlanFactory,
    UserFactory,
)

D = Decimal


class Setup:
    def __init__(self):
        self.plan = PlanFactory(first_year=2027, years=1)
        association = self.plan.association
        self.state = OrganisationFactory(association=association, name="Försäkringskassan", kind="state")
        self.region = OrganisationFactory(association=association, name="Region Värmland", kind="region")
        self.filipstad = OrganisationFactory(association=association, name="Filipstads kommun")
        self.storfors = OrganisationFactory(association=association, name="Storfors kommun")
        self.column = BudgetColumnFactory(plan=self.plan, year=2027, contributions_total=D(1848000))
        BudgetGroupFactory(plan=self.plan, section="revenue", kind="contributions", name="Medlemsavgifter")
        self.chief = UserFactory()

    def rows(self):
        result = plan_budget(Plan.objects.get(pk=self.plan.pk))
        (group,) = [g for g in result.groups if g.group.kind == "contributions"]
        return [(row.label, row.amounts.get(2027), bool(row.overridden_years)) for row in group.rows]

    def key(self):
        return [
            (value.factor.name, value.factor.weight_percent, value.organisation.name, value.value)
            for value in ContributionKeyValue.objects.filter(factor__plan=self.plan).order_by(
                "factor__position", "organisation__name"
            )
        ]

    def events(self):
        return list(
            PlanEvent.objects.filter(plan=self.plan).order_by("id").values_list("action", "summary", "user")
        )


@pytest.fixture
def setup(db):
    return Setup()


def weighted_key(setup):
    return [
        ("Befolkning 16–64 år", 25, {setup.filipstad: 6000, setup.storfors: 2000}),
        ("Försörjningsmått", D(75), {setup.filipstad: "100", setup.storfors: "300,0"}),
    ]


# --- The key ---------------------------------------------------------------------------------------------


def test_a_weighted_key_splits_the_municipalities_quarter(setup):
    contribution_key_set(plan=setup.plan, factors=weighted_key(setup), by=setup.chief)
    # Filipstad: 25 × 0.75 + 75 × 0.25 = 37.5 % of 462 000; Storfors 62.5 %.
    assert setup.rows()[2:] == [
        ("Filipstads kommun", D(173250), False),
        ("Storfors kommun", D(288750), False),
    ]
    assert setup.events() == [
        (
            "edited",
            "Ändrade fördelningsnyckeln för kommunernas medlemsavgifter: Befolkning 16–64 år 25 %, "
            "Försörjningsmått 75 %.",
            setup.chief.pk,
        )
    ]


def test_setting_a_key_replaces_the_old_one(setup):
    contribution_key_set(plan=setup.plan, factors=weighted_key(setup), by=setup.chief)
    contribution_key_set(
        plan=setup.plan,
        factors=[("Fast andel", 100, {setup.filipstad: 1, setup.storfors: 1})],
        by=setup.chief,
    )
    assert setup.key() == [
        ("Fast andel", D(100), "Filipstads kommun", D(1)),
        ("Fast andel", D(100), "Storfors kommun", D(1)),
    ]
    assert ContributionKeyFactor.objects.count() == 1
    assert setup.rows()[2:] == [
        ("Filipstads kommun", D(231000), False),
        ("Storfors kommun", D(231000), False),
    ]


def test_weights_with_decimals_that_add_up_are_accepted(setup):
    contribution_key_set(
        plan=setup.plan,
        factors=[("A", "33,33", {setup.filipstad: 1}), ("B", D("66.67"), {setup.storfors: 1})],
        by=setup.chief,
    )
    assert [f.weight_percent for f in ContributionKeyFactor.objects.order_by("position")] == [
        D("33.33"),
        D("66.67"),
    ]


def test_an_empty_key_removes_it(setup):
    contribution_key_set(plan=setup.plan, factors=weighted_key(setup), by=setup.chief)
    contribution_key_set(plan=setup.plan, factors=[], by=setup.chief)
    assert not ContributionKeyFactor.objects.exists()
    assert setup.rows()[2:] == [("Kommunerna", D(462000), False)]
    assert setup.events()[-1][1] == "Tog bort fördelningsnyckeln för kommunernas medlemsavgifter."


def refused(setup, factors):
    contribution_key_set(plan=setup.plan, factors=weighted_key(setup), by=setup.chief)
    before, events = setup.key(), setup.events()
    with pytest.raises(ValidationError) as error:
        contribution_key_set(plan=setup.plan, factors=factors, by=setup.chief)
    assert setup.key() == before and setup.events() == events  # nothing saved, nothing recorded
    return error.value.messages


def test_weights_must_add_up_to_100(setup):
    assert refused(setup, [("A", 25, {setup.filipstad: 1}), ("B", "65,5", {setup.storfors: 1})]) == [
        "Vikterna summerar till 90,5 %; de ska summera till 100 %."
    ]


def test_another_associations_organisation_is_refused(setup):
    outsider = OrganisationFactory(name="Karlstads kommun")
    assert refused(setup, [("A", 100, {setup.filipstad: 1, outsider: 5})]) == [
        "Karlstads kommun är inte en medlemskommun i förbundet och kan inte ingå i nyckeln."
    ]


def test_only_member_municipalities_can_be_in_the_key(setup):
    partner = OrganisationFactory(
        association=setup.plan.association, name="Arbetsmarknadsenheten", kind="other", is_member=False
    )
    assert refused(setup, [("A", 100, {setup.region: 1, partner: 1})]) == [
        "Region Värmland är inte en medlemskommun i förbundet och kan inte ingå i nyckeln.",
        "Arbetsmarknadsenheten är inte en medlemskommun i förbundet och kan inte ingå i nyckeln.",
    ]


def test_bad_names_weights_and_values_are_all_reported(setup):
    assert refused(
        setup,
        [
            ("", 50, {setup.filipstad: -1}),
            ("Befolkning", "mycket", {setup.storfors: "abc"}),
            ("befolkning", 150, {}),
        ],
    ) == [
        "Ange ett namn för fördelningsgrund 1.",
        "Värdet för Filipstads kommun i ”fördelningsgrund 1” ska vara ett tal som är noll eller större.",
        "Vikten för ”Befolkning” ska vara ett tal mellan 0 och 100 med högst två decimaler.",
        "Värdet för Storfors kommun i ”Befolkning” ska vara ett tal som är noll eller större.",
        "Fördelningsgrunden ”befolkning” finns två gånger.",
        "Vikten för ”befolkning” ska vara ett tal mellan 0 och 100 med högst två decimaler.",
    ]


def test_an_adopted_plan_cannot_change_its_key(setup):
    Plan.objects.filter(pk=setup.plan.pk).update(state="adopted", adopted_on="2026-12-01")
    plan = Plan.objects.get(pk=setup.plan.pk)
    with pytest.raises(PlanLocked, match="kan inte ändras"):
        contribution_key_set(plan=plan, factors=weighted_key(setup), by=setup.chief)
    assert not ContributionKeyFactor.objects.exists()


# --- Overrides ---------------------------------------------------------------------------------------


def test_an_override_replaces_the_computed_part_and_is_recorded(setup):
    override = contribution_override_set(
        column=setup.column,
        part="region",
        amount=D(460000),
        reason="Beslut i regionfullmäktige",
        by=setup.chief,
    )
    assert (override.amount.amount, override.reason, override.version) == (
        D(460000),
        "Beslut i regionfullmäktige",
        1,
    )
    assert setup.rows()[1] == ("Region Värmland", D(460000), True)
    assert setup.events() == [
        ("edited", "Justerade medlemsavgiften 2027 för Regionen till 460\u00a0000\u00a0kr.", setup.chief.pk)
    ]


def test_setting_an_override_again_updates_it(setup):
    contribution_override_set(column=setup.column, part="state", amount=1, reason="", by=setup.chief)
    override = contribution_override_set(
        column=setup.column, part="state", amount="924 500", reason="Nytt", by=setup.chief
    )
    assert ContributionOverride.objects.count() == 1
    assert (override.amount.amount, override.reason, override.version) == (D(924500), "Nytt", 2)
    assert (
        PlanEvent.objects.filter(plan=setup.plan).latest("id").details["contribution_override"]["previous"]
        == "1"
    )


def test_one_municipality_can_be_overridden_where_the_key_splits_them(setup):
    with pytest.raises(ValidationError, match="ingen fördelningsnyckel"):
        contribution_override_set(
            column=setup.column,
            part="municipality",
            organisation=setup.storfors,
            amount=1,
            reason="",
            by=setup.chief,
        )
    contribution_key_set(plan=setup.plan, factors=weighted_key(setup), by=setup.chief)
    contribution_override_set(
        column=setup.column,
        part="municipality",
        organisation=setup.storfors,
        amount=290000,
        reason="",
        by=setup.chief,
    )
    assert setup.rows()[2:] == [("Filipstads kommun", D(173250), False), ("Storfors kommun", D(290000), True)]


def test_an_override_names_a_member_municipality_only_for_a_municipality(setup):
    outsider = OrganisationFactory(name="Karlstads kommun")
    cases = [
        ({"part": "municipality", "organisation": outsider}, "Välj en av förbundets medlemskommuner."),
        ({"part": "municipality", "organisation": setup.region}, "Välj en av förbundets medlemskommuner."),
        ({"part": "municipality"}, "Välj en av förbundets medlemskommuner."),
        (
            {"part": "state", "organisation": setup.filipstad},
            "Bara en enskild kommuns del justeras för en organisation.",
        ),
        ({"part": "kyrkan"}, "Okänd del av medlemsavgifterna."),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValidationError) as error:
            contribution_override_set(column=setup.column, amount=1, reason="", by=setup.chief, **kwargs)
        assert error.value.messages == [message]
    assert not ContributionOverride.objects.exists()


@pytest.mark.parametrize("amount", [-1, "12,5", "tusen", D("1e13")])
def test_an_override_is_whole_kronor_not_negative(setup, amount):
    with pytest.raises(ValidationError) as error:
        contribution_override_set(column=setup.column, part="state", amount=amount, reason="", by=setup.chief)
    assert error.value.messages == ["Beloppet ska vara hela kronor, noll eller mer."]
    assert not ContributionOverride.objects.exists()


def test_clearing_an_override_brings_back_the_computed_part(setup):
    contribution_override_set(
        column=setup.column, part="municipalities", amount=400000, reason="", by=setup.chief
    )
    assert setup.rows()[2] == ("Kommunerna", D(400000), True)

    assert contribution_override_clear(column=setup.column, part="municipalities", by=setup.chief) is True
    assert setup.rows()[2] == ("Kommunerna", D(462000), False)
    assert setup.events()[-1] == (
        "deleted",
        "Tog bort justeringen av medlemsavgiften 2027 för Kommunerna; det beräknade beloppet gäller.",
        setup.chief.pk,
    )
    count = PlanEvent.objects.count()
    assert contribution_override_clear(column=setup.column, part="municipalities", by=setup.chief) is False
    assert PlanEvent.objects.count() == count


def test_overrides_cannot_change_an_adopted_plan(setup):
    contribution_override_set(column=setup.column, part="state", amount=1, reason="", by=setup.chief)
    Plan.objects.filter(pk=setup.plan.pk).update(state="adopted", adopted_on="2026-12-01")
    column = type(setup.column).objects.get(pk=setup.column.pk)
    for call in (
        lambda: contribution_override_set(column=column, part="state", amount=2, reason="", by=setup.chief),
        lambda: contribution_override_clear(column=column, part="state", by=setup.chief),
    ):
        with pytest.raises(PlanLocked, match="kan inte ändras"):
            call()
    assert ContributionOverride.objects.get().amount.amount == D(1)
