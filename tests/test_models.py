"""The model rules: database constraints and validation with Swedish messages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from budgets.models import BudgetGroup
from finsam.models import Association, Organisation
from finsam.validators import luhn_valid, validate_org_number
from plans.models import Chapter, Plan
from tests.factories import (
    AssociationFactory,
    BoardSeatFactory,
    BudgetColumnFactory,
    BudgetGroupFactory,
    ChapterFactory,
    GrantFactory,
    InterventionFactory,
    OrganisationFactory,
    PlanFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("number", ["222000-2063", "2220002063", "222000-2352"])
def test_org_number_with_right_check_digit_passes(number):
    validate_org_number(number)


@pytest.mark.parametrize("number", ["222000-2064", "222000-206", "22200A-2063", "", "222000 2063 1"])
def test_org_number_with_wrong_check_digit_or_shape_is_refused_in_swedish(number):
    with pytest.raises(ValidationError) as error:
        validate_org_number(number)
    assert "Organisationsnumret" in str(error.value)


def test_luhn_matches_known_numbers():
    assert luhn_valid("2220002063")
    assert not luhn_valid("2220002062")


def test_org_number_is_stored_with_a_hyphen():
    association = AssociationFactory(org_number="2220002063")
    association.refresh_from_db()
    assert association.org_number == "222000-2063"


def test_association_full_clean_reports_a_bad_org_number():
    association = Association(name="X", slug="x", org_number="222000-2064")
    with pytest.raises(ValidationError) as error:
        association.full_clean()
    assert "kontrollsiffra" in str(error.value.message_dict["org_number"])


def test_budget_column_year_is_unique_per_plan():
    column = BudgetColumnFactory(year=2027)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetColumnFactory(plan=column.plan, year=2027)


def test_intervention_period_must_end_after_it_starts():
    intervention = InterventionFactory.build(
        association=AssociationFactory(),
        start_date=datetime.date(2027, 6, 1),
        end_date=datetime.date(2027, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        intervention.full_clean()
    assert "Slutdatum" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        intervention.save()


def test_open_ended_intervention_is_allowed():
    intervention = InterventionFactory(start_date=datetime.date(2016, 4, 1), end_date=None)
    assert intervention.covers_year(2030)
    assert not intervention.covers_year(2015)


def test_grant_cannot_be_negative():
    with pytest.raises(IntegrityError), transaction.atomic():
        GrantFactory(amount=-1)


def test_grant_one_per_year():
    grant = GrantFactory(year=2027)
    with pytest.raises(IntegrityError), transaction.atomic():
        GrantFactory(intervention=grant.intervention, year=2027)


def test_adopted_plan_needs_an_adoption_date():
    plan = PlanFactory.build(association=AssociationFactory(), state=Plan.State.ADOPTED, adopted_on=None)
    with pytest.raises(ValidationError) as error:
        plan.full_clean()
    assert "beslutsdatum" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        plan.save()


@pytest.mark.parametrize("years", [0, 7])
def test_plan_covers_one_to_six_years(years):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanFactory(years=years)


def test_a_structured_part_appears_once_per_plan_but_text_chapters_repeat():
    plan = PlanFactory()
    ChapterFactory(plan=plan, kind=Chapter.Kind.TEXT)
    ChapterFactory(plan=plan, kind=Chapter.Kind.TEXT)
    ChapterFactory(plan=plan, kind=Chapter.Kind.BUDGET)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChapterFactory(plan=plan, kind=Chapter.Kind.BUDGET)


def test_budget_group_kind_must_fit_its_section():
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetGroupFactory(section=BudgetGroup.Section.REVENUE, kind=BudgetGroup.Kind.ADMINISTRATION)
    group = BudgetGroupFactory.build(
        plan=PlanFactory(), section=BudgetGroup.Section.COSTS, kind=BudgetGroup.Kind.CONTRIBUTIONS
    )
    with pytest.raises(ValidationError) as error:
        group.full_clean()
    assert "intäkterna" in str(error.value)


def test_only_one_contributions_group_per_plan():
    plan = PlanFactory()
    BudgetGroupFactory(plan=plan, section="revenue", kind=BudgetGroup.Kind.CONTRIBUTIONS)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetGroupFactory(plan=plan, section="revenue", kind=BudgetGroup.Kind.CONTRIBUTIONS)


def test_board_seat_must_be_appointed_by_a_member_of_the_same_association():
    seat = BoardSeatFactory()
    seat.appointed_by = OrganisationFactory()  # another association's organisation
    with pytest.raises(ValidationError) as error:
        seat.full_clean()
    assert "medlem i förbundet" in str(error.value)


def test_a_partner_that_is_not_state_region_or_municipality_cannot_be_a_member():
    organisation = Organisation(
        association=AssociationFactory(), name="Polisen", kind=Organisation.Kind.OTHER, is_member=True
    )
    with pytest.raises(ValidationError):
        organisation.full_clean()


def test_plan_history_is_append_only():
    from plans.gateway import plan_event_record

    event = plan_event_record(plan=PlanFactory(), user=None, action="edited", summary="Ändrade")
    event.summary = "Förfalskad"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_money_fields_validate_without_crashing():
    """full_clean on a MoneyField compares Money with Money (a plain MinValueValidator would crash)."""
    from djmoney.money import Money

    grant = GrantFactory(amount=Money(100, "SEK"))
    grant.full_clean()
    grant.amount = Money(-5, "SEK")
    with pytest.raises(ValidationError) as error:
        grant.full_clean()
    assert "amount" in error.value.message_dict
