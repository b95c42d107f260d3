"""An association's goal categories: the kinds of goal its plans use, named and ordered by the association.

A new association starts with `DEFAULT_GOAL_CATEGORIES` (made the first time its categories are asked
for); the chief renames them, adds their own and removes those no goal uses. A goal prints its category
before its title; a frozen version keeps the name it had when it was sent.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from finsam.models import Association
from plans.models import DEFAULT_GOAL_CATEGORIES, GoalCategory


def goal_categories(association: Association) -> QuerySet[GoalCategory]:
    """The association's categories in its order; the default list first if it has none yet."""
    categories = GoalCategory.objects.filter(association=association)
    if not categories.exists():
        GoalCategory.objects.bulk_create(
            [
                GoalCategory(association=association, name=str(label), position=position)
                for position, (_key, label) in enumerate(DEFAULT_GOAL_CATEGORIES)
            ],
            ignore_conflicts=True,  # another request made them a moment ago
        )
    return categories.order_by("position", "id")


def goal_category_for(association: Association, key_or_name: str) -> GoalCategory | None:
    """The category a goal of the demo data or an import names: a default's key ("overall") or a name."""
    if not key_or_name:
        return None
    names = {key: str(label) for key, label in DEFAULT_GOAL_CATEGORIES}
    name = names.get(key_or_name, key_or_name)
    categories = goal_categories(association)
    found = categories.filter(name__iexact=name).first()
    if found is None:
        found = goal_category_add(association=association, name=name)
    return found


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("Skriv ett namn på kategorin."))
    if len(name) > 200:
        raise ValidationError(_("Högst 200 tecken."))
    return name


def goal_category_add(*, association: Association, name: str) -> GoalCategory:
    name = _clean_name(name)
    last = goal_categories(association).aggregate(last=Max("position"))["last"]
    try:
        with transaction.atomic():
            return GoalCategory.objects.create(association=association, name=name, position=(last or 0) + 1)
    except IntegrityError:
        raise ValidationError(
            _("Det finns redan en kategori som heter ”%(name)s”.") % {"name": name}
        ) from None


def goal_category_rename(*, category: GoalCategory, name: str) -> GoalCategory:
    """Rename a category: every goal of it prints the new name; versions already sent keep the old one."""
    name = _clean_name(name)
    taken = GoalCategory.objects.filter(association=category.association_id, name__iexact=name).exclude(
        pk=category.pk
    )
    if taken.exists():
        raise ValidationError(_("Det finns redan en kategori som heter ”%(name)s”.") % {"name": name})
    category.name = name
    category.save(update_fields=["name"])
    return category


def goal_category_remove(*, category: GoalCategory) -> None:
    if category.goals.exists():
        raise ValidationError(
            _("Kategorin ”%(name)s” används av mål och kan inte tas bort.") % {"name": category.name}
        )
    category.delete()
