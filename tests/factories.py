"""factory_boy factories for every model a test needs to build by hand."""

import factory
from django.contrib.auth import get_user_model

from budgets.models import BudgetAmount, BudgetColumn, BudgetGroup, BudgetLine, InterventionBudgetAmount
from finsam.models import Association, BoardSeat, Membership, Organisation
from interventions.models import Grant, Intervention, PlanIntervention
from plans.models import Chapter, Goal, Indicator, Plan


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.se")
    password = factory.django.Password("secret-pass-123")


class AssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Association

    name = factory.Sequence(lambda n: f"Samordningsförbundet Test {n}")
    slug = factory.Sequence(lambda n: f"test-{n}")
    org_number = "222000-2063"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    association = factory.SubFactory(AssociationFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.MUNICIPALITY
    is_member = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    association = factory.SubFactory(AssociationFactory)
    role = Membership.Role.CHIEF


class BoardSeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardSeat

    association = factory.SubFactory(AssociationFactory)
    person_name = factory.Sequence(lambda n: f"Ledamot {n}")
    appointed_by = factory.SubFactory(OrganisationFactory, association=factory.SelfAttribute("..association"))


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    association = factory.SubFactory(AssociationFactory)
    title = factory.LazyAttribute(lambda plan: f"Verksamhetsplan och budget {plan.first_year}")
    first_year = 2027
    years = 3


class ChapterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chapter

    plan = factory.SubFactory(PlanFactory)
    heading = factory.Sequence(lambda n: f"Kapitel {n}")
    body = "Text."
    position = factory.Sequence(lambda n: n)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    plan = factory.SubFactory(PlanFactory)
    title = factory.Sequence(lambda n: f"Mål {n}")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    goal = factory.SubFactory(GoalFactory)
    text = factory.Sequence(lambda n: f"Indikator {n}")


class BudgetColumnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetColumn

    plan = factory.SubFactory(PlanFactory)
    year = 2027
    kind = BudgetColumn.Kind.BUDGET


class BudgetGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetGroup

    plan = factory.SubFactory(PlanFactory)
    section = BudgetGroup.Section.COSTS
    kind = BudgetGroup.Kind.ADMINISTRATION
    name = factory.Sequence(lambda n: f"Grupp {n}")


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    group = factory.SubFactory(BudgetGroupFactory)
    name = factory.Sequence(lambda n: f"Rad {n}")


class BudgetAmountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetAmount

    line = factory.SubFactory(BudgetLineFactory)
    column = factory.SubFactory(BudgetColumnFactory)
    amount = 0


class InterventionBudgetAmountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterventionBudgetAmount

    column = factory.SubFactory(BudgetColumnFactory)
    intervention = factory.SubFactory(
        "tests.factories.InterventionFactory", association=factory.SelfAttribute("..column.plan.association")
    )
    amount = 0


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention

    association = factory.SubFactory(AssociationFactory)
    name = factory.Sequence(lambda n: f"Insats {n}")


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    intervention = factory.SubFactory(InterventionFactory)
    year = 2027
    amount = 100000


class PlanInterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanIntervention

    plan = factory.SubFactory(PlanFactory)
    intervention = factory.SubFactory(
        InterventionFactory, association=factory.SelfAttribute("..plan.association")
    )
