"""Reads of a plan's budget shared by its pages, forms and services."""

from __future__ import annotations

from finsam.models import Organisation
from plans.models import Plan


def is_municipality_member(organisation: Organisation) -> bool:
    return organisation.is_member and organisation.kind == Organisation.Kind.MUNICIPALITY


def member_municipalities(plan: Plan) -> list[Organisation]:
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
