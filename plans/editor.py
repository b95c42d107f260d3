"""The editor's kinds of item: how each ordered list of the plan editor is found, edited and shown.

Each registered plan part (`plans.parts`) lists the `EditorKind`s of its items; the association's board
seats are edited on the same page (`BOARD_SEATS`). A kind is data, not code: where its items hang from
(`model.ordered_within`: the plan, a goal for indicators, the association for board seats), its form,
its element ids and URLs. A kind nested in another (indicators in a goal) has one list per parent item.

Also here: what the editor shows while an item is open (`Editing`, `Conflict`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django import forms as django_forms
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finsam.models import BoardSeat
from plans import forms
from plans.models import Plan
from plans.parts import PARTS

CONFLICT_MESSAGE = gettext_lazy("Någon annan har ändrat detta medan du skrev.")
DELETED_MESSAGE = gettext_lazy("Någon annan har tagit bort detta medan du skrev.")


@dataclass(frozen=True)
class EditorKind:
    """One kind of ordered item in the editor: how to find it through the plan, and how to edit it."""

    key: str  # names its partials: "<key>-row", "<key>-list"
    slug: str  # its URL segment
    anchor: str  # its rows' element ids: "<anchor>-<pk>"
    model: type[models.Model]
    form_class: type[forms.VersionedForm]
    list_id: str  # the element its list swaps into (a nested kind has one list per parent)
    context_name: str  # its list's name in the template context (and the parent's related name)
    add_label: str = ""
    empty_text: str = ""
    markdown_field: str = ""
    select_related: tuple[str, ...] = ()
    prefetch: tuple[Any, ...] = ()
    form_context: tuple[str, ...] = ()  # what its form is given: "plan" and/or "association"
    numbered: bool = False  # rows show their number (chapters: 1, 1.1, 2 …)
    children: str = ""  # the kind listed inside each item (a goal's indicators)
    dependents: tuple[str, ...] = ()  # kinds whose lists show this kind's items (activities show goals)

    @property
    def parent(self) -> str:
        """What the items hang from: "plan", "association", or a parent item's field ("goal")."""
        return self.model.ordered_within

    @property
    def nested(self) -> bool:
        return self.parent not in ("plan", "association")

    def queryset(self, plan: Plan) -> models.QuerySet:
        if self.nested:
            scope = {f"{self.parent}__plan": plan}
        else:
            scope = {self.parent: plan if self.parent == "plan" else plan.association}
        queryset = self.model.objects.filter(**scope).prefetch_related(*self.prefetch)
        return queryset.select_related(*self.select_related) if self.select_related else queryset

    def get(self, plan: Plan, pk: int):
        """The item through its plan (or its plan's association): any other id is a 404."""
        return annotate(self, get_object_or_404(self.queryset(plan), pk=pk))

    def parent_item(self, plan: Plan, pk: int | None):
        """A nested kind's parent item through the plan (404 for any other); None for a kind that is not."""
        if not self.nested:
            return None
        return get_object_or_404(parent_kind(self).queryset(plan), pk=pk)

    def new(self, plan: Plan, parent=None):
        owner = {"plan": plan, "association": plan.association}.get(self.parent, parent)
        return annotate(self, self.model(**{self.parent: owner}))

    def form(self, plan: Plan, instance, data=None) -> forms.VersionedForm:
        given = {"plan": plan, "association": plan.association}
        kwargs: dict[str, Any] = {"data": data, "instance": instance, "id_prefix": self.element_id(instance)}
        kwargs |= {name: given[name] for name in self.form_context}
        return self.form_class(**kwargs)

    def parent_id(self, item) -> int | None:
        return getattr(item, f"{self.parent}_id") if self.nested else None

    def element_id(self, item) -> str:
        """The id of the item's slot in the page: its row, or the "add" slot while it is new."""
        if item.pk is not None:
            return f"{self.anchor}-{item.pk}"
        if self.nested:
            return f"{parent_kind(self).anchor}-{self.parent_id(item)}-{self.anchor}-ny"
        return f"{self.anchor}-ny"

    def list_element_id(self, item) -> str:
        if self.nested:
            return f"{parent_kind(self).anchor}-{self.parent_id(item)}-{self.slug}"
        return self.list_id

    def _url_args(self, plan: Plan, item) -> list:
        if self.nested:
            return [plan.association.slug, plan.pk, self.parent_id(item)]
        return [plan.association.slug, plan.pk, self.slug]

    def list_url(self, plan: Plan, item) -> str:
        name = "plan_indicator_list" if self.nested else "plan_part_list"
        return reverse(name, args=self._url_args(plan, item))

    def add_url(self, plan: Plan, item) -> str:
        name = "plan_indicator_add" if self.nested else "plan_part_add"
        return reverse(name, args=self._url_args(plan, item))

    def item_url(self, plan: Plan, item, action: str = "") -> str:
        name = {"": "plan_part_row", "edit": "plan_part_edit", "delete": "plan_part_delete"}[action]
        return reverse(name, args=[plan.association.slug, plan.pk, self.slug, item.pk])


BOARD_SEATS = EditorKind(
    "board_seat", "styrelse", "styrelseplats", BoardSeat, forms.BoardSeatForm, "styrelse-lista", "board_seats",
    gettext_lazy("Lägg till styrelseplats"), gettext_lazy("Förbundets styrelse är inte inlagd ännu."),
    select_related=("appointed_by",), form_context=("association",),
)  # fmt: skip


@cache
def editor_kinds() -> dict[str, EditorKind]:
    """Every kind the editor handles, by key: the registered parts' and the board seats."""
    kinds = [kind for part in PARTS.values() for kind in part.editor] + [BOARD_SEATS]
    return {kind.key: kind for kind in kinds}


@cache
def editor_kinds_by_slug() -> dict[str, EditorKind]:
    return {kind.slug: kind for kind in editor_kinds().values()}


# What a report is written in: text chapters, and chapters that show the follow-up (`plans.reports`).
REPORT_EDITOR_KINDS = {"chapter"}


def editor_kind(slug: str, plan: Plan | None = None) -> EditorKind:
    """The kind by its URL segment; 404 for none, or for a kind `plan` does not have (a report's only
    items are chapters)."""
    try:
        kind = editor_kinds_by_slug()[slug]
    except KeyError:
        raise Http404 from None
    if plan is not None and plan.is_report and kind.key not in REPORT_EDITOR_KINDS:
        raise Http404
    return kind


def parent_kind(kind: EditorKind) -> EditorKind:
    return next(other for other in editor_kinds().values() if other.children == kind.key)


def annotate(kind: EditorKind, item):
    """Give an item the element ids its row uses (so templates never build ids from pieces), and the same
    to its children (a goal's indicators, with an "add" slot)."""
    item.dom_id = kind.element_id(item)
    item.list_dom_id = kind.list_element_id(item)
    if kind.children and item.pk is not None:
        child = editor_kinds()[kind.children]
        setattr(item, f"{child.key}_add", annotate(child, child.model(**{child.parent: item})))
        for each in getattr(item, child.context_name).all():
            annotate(child, each)
    return item


# --- What the editor shows while an item is open ------------------------------------------------------


@dataclass
class Conflict:
    """What the user sees when their save was based on a stale version: the other person's values."""

    deleted: bool
    theirs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def message(self) -> str:
        return str(DELETED_MESSAGE if self.deleted else CONFLICT_MESSAGE)


@dataclass
class Editing:
    """The one item of the page that is open for editing, adding or deleting, with the URLs it needs."""

    key: str  # an EditorKind key, or "settings"
    mode: str  # "edit" | "add" | "delete"
    item: Any
    form: django_forms.Form | None = None
    kind: EditorKind | None = None
    conflict: Conflict | None = None
    preview: str | None = None
    title: str = ""
    action_url: str = ""
    cancel_url: str = ""
    cancel_target: str = ""
    preview_url: str = ""
    readd_url: str = ""

    @property
    def element_id(self) -> str:
        return "installningar" if self.kind is None else self.item.dom_id

    @property
    def markdown_field(self) -> str:
        return self.kind.markdown_field if self.kind else ""

    @property
    def parent_pk(self) -> int:
        return (self.kind.parent_id(self.item) if self.kind else None) or 0

    @property
    def slot_tag(self) -> str:
        return "li" if self.mode in ("edit", "delete") and self.kind is not None else "div"


def editing_for(plan: Plan, kind: EditorKind | None, mode: str, item, **kwargs) -> Editing:
    """An `Editing` with its title and URLs filled in."""
    editing = Editing(key=kind.key if kind else "settings", mode=mode, item=item, kind=kind, **kwargs)
    slug = plan.association.slug
    editing.preview_url = reverse("plan_markdown_preview", args=[slug, plan.pk])
    if kind is None:
        editing.title = _("Ändra planens inställningar")
        editing.action_url = reverse("plan_settings_edit", args=[slug, plan.pk])
        editing.cancel_url = reverse("plan_settings", args=[slug, plan.pk])
        editing.cancel_target = "#installningar"
    elif mode == "add":
        editing.title = str(kind.add_label)
        editing.action_url = kind.add_url(plan, item)
        editing.cancel_url = kind.list_url(plan, item)
        editing.cancel_target = f"#{item.list_dom_id}"
    else:
        what = item._meta.verbose_name
        editing.title = (_("Ta bort %(what)s") if mode == "delete" else _("Ändra %(what)s")) % {"what": what}
        editing.action_url = kind.item_url(plan, item, "delete" if mode == "delete" else "edit")
        editing.cancel_url = kind.item_url(plan, item)
        editing.cancel_target = f"#{item.dom_id}"
    if editing.conflict and editing.conflict.deleted and kind is not None:
        # The item is gone: "close" reloads its list, and the user may add their text as a new item
        # (a nested item only while its parent is there).
        editing.cancel_url = kind.list_url(plan, item)
        editing.cancel_target = f"#{item.list_dom_id}"
        if not kind.nested or kind.parent_id(item):
            editing.readd_url = kind.add_url(plan, item)
    return editing


def field_display(item, name: str) -> str:
    """A field's stored value as the user reads it (choices by label, objects by name, dates ISO)."""
    value = getattr(item, name)
    model_field = item._meta.get_field(name)
    if model_field.choices:
        return str(getattr(item, f"get_{name}_display")())
    if value is None or value == "":
        return _("(tomt)")
    if isinstance(value, bool):
        return _("Ja") if value else _("Nej")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def conflict_for(form: forms.VersionedForm, current) -> Conflict:
    """The other person's values, for each field where they differ from what this user submitted."""
    if current is None:
        return Conflict(deleted=True)
    cleaned = getattr(form, "cleaned_data", {})
    theirs = [
        (str(form.fields[name].label), field_display(current, name))
        for name in form.content_fields
        if getattr(current, name) != cleaned.get(name)
    ]
    return Conflict(deleted=False, theirs=theirs)


def all_fields_of(form_class, item) -> list[tuple[str, str]]:
    return [
        (str(item._meta.get_field(name).verbose_name).capitalize(), field_display(item, name))
        for name in form_class._meta.fields
    ]


def rebind_with_version(form: forms.VersionedForm, version: int) -> None:
    """Keep the user's input as typed, now based on the current version ("keep mine" resubmits it)."""
    data = form.data.copy()
    data["version"] = str(version)
    form.data = data


def focus_first(form: django_forms.Form) -> None:
    """`autofocus` on the first field with an error, else on the first field (htmx focuses it)."""
    visible = [bound for bound in form.visible_fields()]
    if not visible:
        return
    target = next((bound for bound in visible if bound.errors), visible[0])
    target.field.widget.attrs["autofocus"] = True
