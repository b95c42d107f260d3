"""Setting up an association in the app, without the Django admin: the installation administrator creates
it and invites its chief; the chief keeps its facts, member and partner organisations, board seats and
staff (the views in `finsam.views_setup`).

Who may create associations: a user with the permission `finsam.add_association` (superusers have it).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Max
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finsam import forms
from finsam.editing import versioned_update
from finsam.invitations import invitation_create
from finsam.models import Association, BoardSeat, Invitation, Membership, Organisation, StaffMember

CREATE_PERMISSION = "finsam.add_association"


def can_create_associations(user) -> bool:
    return user.is_authenticated and user.has_perm(CREATE_PERMISSION)


def association_create(*, facts: dict, chief_email: str, by, request=None) -> tuple[Association, Invitation]:
    """A new association with `facts` (the create form's fields) and an invitation to its chief."""
    with transaction.atomic():
        association = Association.objects.create(**facts)
        invitation = invitation_create(
            association=association, email=chief_email, role=Membership.Role.CHIEF, by=by, request=request
        )
    return association, invitation


def association_facts_update(*, association: Association, facts: dict) -> Association:
    for name, value in facts.items():
        setattr(association, name, value)
    association.save(update_fields=list(facts))
    return association


# --- The association's lists: organisations, board seats, staff ------------------------------------------


@dataclass(frozen=True)
class SetupKind:
    """One list on the association's setup page, and its add/edit/delete pages."""

    slug: str  # in the URL
    model: type[models.Model]
    related_name: str  # association.<related_name>
    form_class: type
    heading: str
    add_label: str
    empty_text: str


KINDS = {
    kind.slug: kind
    for kind in (
        SetupKind(
            "organisationer", Organisation, "organisations", forms.OrganisationForm,
            gettext_lazy("Medlemmar och andra organisationer"), gettext_lazy("Lägg till organisation"),
            gettext_lazy("Inga organisationer är inlagda ännu."),
        ),
        SetupKind(
            "styrelse", BoardSeat, "board_seats", forms.BoardSeatForm, gettext_lazy("Styrelsen"),
            gettext_lazy("Lägg till styrelseplats"), gettext_lazy("Styrelsen är inte inlagd ännu."),
        ),
        SetupKind(
            "kansli", StaffMember, "staff", forms.StaffMemberForm, gettext_lazy("Kansliet"),
            gettext_lazy("Lägg till person i kansliet"), gettext_lazy("Kansliet är inte inlagt ännu."),
        ),
    )
}  # fmt: skip


def setup_item_add(*, association: Association, form) -> models.Model:
    """Save a valid add form's object last in the association's list."""
    item = form.save(commit=False)
    item.association = association
    with transaction.atomic():
        last = type(item)._default_manager.filter(association=association).aggregate(Max("position"))
        item.position = (last["position__max"] or 0) + 1
        item.save()
    return item


def setup_item_update(*, item: models.Model, form) -> models.Model:
    """Save a valid edit form. A board seat, also edited in the plan editor, is saved only if nobody saved
    it since the form was opened (`finsam.editing.StaleVersion` otherwise)."""
    changes = {name: form.cleaned_data[name] for name in form._meta.fields}
    if isinstance(item, BoardSeat):
        expected = form.cleaned_data.get("version") or item.version
        changes["appointed_by_id"] = changes.pop("appointed_by").pk
        return versioned_update(item, expected_version=expected, **changes)
    for name, value in changes.items():
        setattr(item, name, value)
    item.save(update_fields=list(changes))
    return item


def uses_of(item: models.Model) -> list[str]:
    """What deleting `item` would take with it or is kept from by (board seats, interventions, a plan's
    contribution key...): their kinds, each once. Empty when it can go alone."""
    collector = Collector(using=router.db_for_write(type(item)))
    try:
        collector.collect([item])
    except ProtectedError as error:
        return sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
    except RestrictedError as error:
        return sorted({str(obj._meta.verbose_name_plural) for obj in error.restricted_objects})
    found = {str(model._meta.verbose_name_plural) for model, objs in collector.data.items() if objs}
    found.discard(str(type(item)._meta.verbose_name_plural))
    found |= {str(qs.model._meta.verbose_name_plural) for qs in collector.fast_deletes if qs.exists()}
    for (field, _value), groups in collector.field_updates.items():
        if any(group.exists() if isinstance(group, models.QuerySet) else group for group in groups):
            found.add(str(field.model._meta.verbose_name_plural))
    return sorted(found)


def setup_item_delete(*, item: models.Model) -> None:
    """Delete `item` unless something refers to it. Raises `ValidationError` naming what uses it."""
    with transaction.atomic():
        uses = uses_of(item)
        if uses:
            raise ValidationError(
                _("%(item)s används av: %(uses)s. Ta bort eller ändra det först.")
                % {"item": item, "uses": ", ".join(uses)}
            )
        item.delete()
