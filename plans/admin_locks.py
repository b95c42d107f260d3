"""The admin goes through the same door as the app (`plans.gateway`): only a plan that can be edited can be
changed, and a change made in the admin is recorded in the plan's history like any other.

Which plan an object belongs to is read from one place, `plan_path`: the shortest chain of foreign keys
from its model to `Plan`, found from the model's fields. A model added to a plan later (a part registered
in `plans.parts`) is covered by `LockedPlanAdminMixin` without naming it here.

For a plan that cannot change (in review, approved, adopted, superseded) the mixin takes away the change,
add and delete permissions of the plan's objects and of their inlines, so Django shows their pages in its
view-only mode: every field and every inline row read-only, no save or delete buttons, and a POST refused
(403). Deleting something whose cascade would take anything of such a plan with it is refused too, from
the delete page as from the changelist's bulk action.
"""

from __future__ import annotations

from collections import deque
from contextlib import ExitStack
from functools import cache

from django.contrib.admin.options import InlineModelAdmin, TabularInline
from django.contrib.admin.utils import NestedObjects
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, router, transaction
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _

from plans.gateway import EDITABLE_STATES, PlanLocked, plan_change, plan_refuse_unless_editable
from plans.models import Plan, PlanEvent


@cache
def plan_path(model: type[models.Model]) -> str | None:
    """The lookup from `model` to the plan its rows belong to (`"line__group__plan"`; `""` for `Plan`), or
    None for a model outside any plan (an intervention, an organisation).

    The shortest chain of foreign keys that cannot be empty, the first in name order among equals."""
    if model is Plan:
        return ""
    queue = deque([(model, "")])
    seen = {model}
    while queue:
        current, path = queue.popleft()
        keys = sorted(
            (f for f in current._meta.concrete_fields if isinstance(f, models.ForeignKey) and not f.null),
            key=lambda f: f.name,
        )
        for field in keys:
            target = field.remote_field.model
            lookup = f"{path}__{field.name}" if path else field.name
            if target is Plan:
                return lookup
            if target not in seen:
                seen.add(target)
                queue.append((target, lookup))
    return None


def plan_of(obj) -> Plan | None:
    """The plan `obj` belongs to (the plan itself for a plan), following `plan_path`; None for an object
    outside plans, or a new one whose plan is not chosen yet."""
    path = plan_path(type(obj))
    if path is None:
        return None
    current = obj
    for attribute in path.split("__") if path else ():
        try:
            current = getattr(current, attribute)
        except ObjectDoesNotExist:
            return None
        if current is None:
            return None
    return current


def plan_locked(obj) -> bool:
    """Whether `obj` belongs to a plan that cannot change (as the plan was read)."""
    plan = plan_of(obj) if obj is not None else None
    return plan is not None and plan.state not in EDITABLE_STATES


def editable_rows(model: type[models.Model]) -> Q:
    """A filter on `model` for the rows of plans that can change (every row for a model outside plans)."""
    path = plan_path(model)
    if path is None:
        return Q()
    return Q(**{f"{path}__state__in" if path else "state__in": EDITABLE_STATES})


def deletion_refused(objs) -> set[str]:
    """What deleting `objs` would take with it from plans that cannot change, one line per kind of
    object (empty: nothing refused). The cascade is followed as Django will follow it."""
    objs = list(objs)
    if not objs:
        return set()
    collector = NestedObjects(using=router.db_for_write(type(objs[0])))
    collector.collect(objs)
    refused = set()
    for model, instances in collector.data.items():
        if plan_path(model) is None:
            continue
        locked = (
            model._default_manager.filter(pk__in=[obj.pk for obj in instances])
            .exclude(editable_rows(model))
            .first()
        )
        if locked is not None:
            refused.add(
                _("%(what)s i planen ”%(plan)s”, som inte kan ändras")
                % {"what": model._meta.verbose_name, "plan": plan_of(locked).title}
            )
    return refused


class LockedPlanAdminMixin:
    """No change, add or delete through the admin (or its inlines) while the plan cannot be edited, and
    every write through the plan's gateway.

    On a `ModelAdmin` of a plan's object and its inlines; on an inline whose parent is outside plans (an
    intervention's list of plans) use `PlanRowsInlineMixin` and `LockedPlanRowsInlineMixin` instead."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not plan_locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not plan_locked(obj)

    def has_add_permission(self, request, obj=None):
        # An inline is asked with the parent object; a ModelAdmin only with the request.
        if isinstance(self, InlineModelAdmin):
            return super().has_add_permission(request, obj) and not plan_locked(obj)
        return super().has_add_permission(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """A plan's object is put only into a plan that can change (a chapter into a draft, an amount
        into a draft's column)."""
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and plan_path(db_field.related_model) is not None:
            formfield.queryset = formfield.queryset.filter(editable_rows(db_field.related_model))
        return formfield

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.resolver_match is not None and request.resolver_match.url_name == "autocomplete":
            # The choices of a foreign key in another admin form, which takes only what can change.
            queryset = queryset.filter(editable_rows(self.model))
        return queryset, may_have_duplicates

    def get_deleted_objects(self, objs, request):
        """Django's list of what a delete takes with it; anything of a plan that cannot change in it
        refuses the delete (the page says what, and its POST is answered 403)."""
        deleted, counts, refused, protected = super().get_deleted_objects(objs, request)
        refused |= deletion_refused(objs)
        return deleted, counts, refused, protected

    # The writes: through the gateway of every plan they touch, with a history event naming what the
    # admin changed.

    def _through_gateway(self, request, plans, obj, action: str, write) -> None:
        plans = _in_lock_order(plans)
        label = _("Administration: %(what)s ”%(name)s”") % {
            "what": obj._meta.verbose_name,
            "name": str(obj)[:80],
        }
        text = _is_text_part(type(obj))
        with ExitStack() as stack:
            changes = [stack.enter_context(plan_change(plan, by=request.user, text=text)) for plan in plans]
            write()
            for change in changes:
                change.record(action, label, {"admin": obj._meta.label_lower, "id": obj.pk})

    def save_model(self, request, obj, form, change):
        action = PlanEvent.Action.EDITED if change else PlanEvent.Action.ADDED
        plans = [plan_of(obj), *([_stored_plan(obj)] if change else [])]
        self._through_gateway(
            request,
            plans,
            obj,
            action,
            lambda: super(LockedPlanAdminMixin, self).save_model(request, obj, form, change),
        )

    def delete_model(self, request, obj):
        if isinstance(obj, Plan):
            _plans_delete(Plan.objects.filter(pk=obj.pk))
            return
        self._through_gateway(
            request,
            [plan_of(obj)],
            obj,
            PlanEvent.Action.DELETED,
            lambda: super(LockedPlanAdminMixin, self).delete_model(request, obj),
        )

    def delete_queryset(self, request, queryset):
        """The changelist's bulk delete: through the gateway of each plan the rows belong to."""
        if queryset.model is Plan:
            _plans_delete(queryset)
            return
        rows = list(queryset)
        plans = _in_lock_order(map(plan_of, rows))
        text = _is_text_part(queryset.model)
        with ExitStack() as stack:
            changes = [stack.enter_context(plan_change(plan, by=request.user, text=text)) for plan in plans]
            super().delete_queryset(request, queryset)
            for change in changes:
                names = [str(row)[:80] for row in rows if plan_of(row) == change.plan]
                label = _("Administration: tog bort %(what)s: %(names)s") % {
                    "what": queryset.model._meta.verbose_name_plural,
                    "names": ", ".join(names),
                }
                change.record(PlanEvent.Action.DELETED, label, {"admin": queryset.model._meta.label_lower})

    def save_related(self, request, form, formsets, change):
        def write():
            super(LockedPlanAdminMixin, self).save_related(request, form, formsets, change)

        touched = [
            row
            for formset in formsets
            for row in formset.forms
            if row.has_changed() or row in getattr(formset, "deleted_forms", ())
        ]
        if not touched:
            write()
            return
        # The parent's plan, and the plans of the inline rows (as posted and as stored): an intervention's
        # list of plans changes those plans.
        plans = [plan_of(form.instance)] + [
            plan for row in touched for plan in (plan_of(row.instance), _stored_plan(row.instance))
        ]
        self._through_gateway(request, plans, form.instance, PlanEvent.Action.EDITED, write)


class PlanRowsFormSet(BaseInlineFormSet):
    """Refuses a row added to, changed in, moved out of or removed from a plan that cannot change, when
    such a row is posted anyway (a hand-made POST, or a page opened before the plan was submitted)."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not (
                form.has_changed() or self._should_delete_form(form)
            ):
                continue
            for plan in (plan_of(form.instance), _stored_plan(form.instance)):
                if plan is not None and plan.state not in EDITABLE_STATES:
                    raise ValidationError(f"{plan.title}: {PlanLocked(plan).args[0]}")


class PlanRowsInlineMixin(LockedPlanAdminMixin):
    """An inline whose parent stands outside plans but whose rows each belong to one (an intervention's
    list of plans): only the rows of plans that can change, and only such plans to choose. The rows of
    the other plans are shown by a `LockedPlanRowsInlineMixin` inline beside it."""

    formset = PlanRowsFormSet

    def get_queryset(self, request):
        return super().get_queryset(request).filter(editable_rows(self.model))


class ReadOnlyInlineMixin:
    """An inline whose rows are shown, never changed, removed or added to."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LockedPlanRowsInlineMixin(ReadOnlyInlineMixin):
    """The rows of plans that cannot change, of an inline beside a `PlanRowsInlineMixin` one."""

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(editable_rows(self.model))


def _plans_delete(queryset) -> None:
    """Delete plans (their history goes with them, so there is nothing to record): each row locked and
    refused unless it can change, the same rule as the gateway's."""
    with transaction.atomic():
        for plan in (
            Plan.objects.select_for_update()
            .filter(pk__in=list(queryset.values_list("pk", flat=True)))
            .order_by("pk")
        ):
            plan_refuse_unless_editable(plan)
        queryset.delete()


def _is_text_part(model: type[models.Model]) -> bool:
    """The plan itself and the parts of the `plans` app are its text and settings (refused on a revised
    budget by the gateway); the budget's and the interventions' rows are not."""
    return model._meta.app_label == "plans"


def _stored_plan(obj) -> Plan | None:
    """The plan `obj` belongs to as stored (before a form moved it), None for a new object."""
    if obj.pk is None:
        return None
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return plan_of(stored) if stored is not None else None


def _in_lock_order(plans) -> list[Plan]:
    """The stored plans among `plans`, once each, in id order: two admin saves that change the same
    plans enter their gateways in the same order and cannot deadlock."""
    unique = {plan.pk: plan for plan in plans if plan is not None and plan.pk is not None}
    return [unique[pk] for pk in sorted(unique)]


def locked_inline(model: type[models.Model], base: type[InlineModelAdmin] | None = None, **options):
    """An inline of `model` (a tabular one unless `base` says otherwise) with no empty extra rows, locked
    with its plan like every admin of a plan's rows."""
    attributes = {"model": model, "extra": 0, **options}
    return type(f"{model.__name__}Inline", (LockedPlanAdminMixin, base or TabularInline), attributes)
