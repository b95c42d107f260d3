"""The association's goal categories: the chief renames them, adds their own and removes unused ones."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from finsam.access import association_view
from plans.goal_categories import (
    goal_categories,
    goal_category_add,
    goal_category_remove,
    goal_category_rename,
)


@association_view
@require_http_methods(["GET", "POST"])
def goal_categories_edit(request):
    """GET: the categories with a rename form each and an add form. POST `action`: add, rename or remove
    (the two last with `category`); a refusal keeps what was typed and says why, in Swedish."""
    access = request.access
    if not access.is_chief:
        raise PermissionDenied(_("Bara förbundschefen kan ändra målkategorierna."))
    association = access.association
    categories = goal_categories(association)
    error, failed_id, typed = "", None, ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        typed = request.POST.get("name", "")
        try:
            if action == "add":
                category = goal_category_add(association=association, name=typed)
                messages.success(request, _("Kategorin ”%(name)s” är tillagd.") % {"name": category.name})
            elif action in ("rename", "remove"):
                category = get_object_or_404(categories, pk=_int_or_none(request.POST.get("category")))
                failed_id = category.pk
                if action == "rename":
                    goal_category_rename(category=category, name=typed)
                    messages.success(request, _("Kategorin heter nu ”%(name)s”.") % {"name": category.name})
                else:
                    goal_category_remove(category=category)
                    messages.success(
                        request, _("Kategorin ”%(name)s” är borttagen.") % {"name": category.name}
                    )
            else:
                raise ValidationError(_("Välj om kategorin ska läggas till, byta namn eller tas bort."))
        except ValidationError as refusal:
            error = refusal.messages[0]
        else:
            return redirect("goal_categories", association=association.slug)
    context = {
        "association": association,
        "categories": list(categories),
        "error": error,
        "failed_id": failed_id,
        "typed": typed,
    }
    return render(request, "plans/goal_categories.html", context, status=422 if error else 200)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
