"""Setting up an association without the Django admin (`finsam.setup`).

The installation administrator (permission `finsam.add_association`; superusers) lists and creates
associations and invites each one's chief. The chief keeps the association's facts and its lists
(organisations, board seats, staff). Another association's object is a 404, someone else than the chief
gets a 403. Forms post without JavaScript and come back with the input kept and a Swedish message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from finsam import setup
from finsam.access import association_view
from finsam.editing import StaleVersion
from finsam.forms import AssociationCreateForm, AssociationFactsForm, InvitationForm
from finsam.invitations import invitation_create
from finsam.models import Association, Membership

# --- The installation administrator ----------------------------------------------------------------------


def _refuse_unless_installation_admin(request) -> None:
    if not setup.can_create_associations(request.user):
        raise PermissionDenied(_("Bara den som administrerar finsam kan lägga upp förbund."))


@login_required
@require_http_methods(["GET"])
def association_admin_list(request):
    """Every association of the installation, with its chiefs and pending chief invitations."""
    _refuse_unless_installation_admin(request)
    now = timezone.now()
    associations = Association.objects.annotate(
        chief_count=Count("memberships", filter=Q(memberships__role=Membership.Role.CHIEF), distinct=True),
        invited_count=Count(
            "invitations",
            filter=Q(
                invitations__role=Membership.Role.CHIEF,
                invitations__accepted_at__isnull=True,
                invitations__expires_at__gt=now,
            ),
            distinct=True,
        ),
    ).order_by("name")
    return render(request, "finsam/setup_admin.html", {"associations": associations})


@login_required
@require_http_methods(["GET", "POST"])
def association_create(request):
    """A new association and the invitation of its chief, in one step."""
    _refuse_unless_installation_admin(request)
    form = AssociationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        facts = {name: form.cleaned_data[name] for name in AssociationCreateForm.Meta.fields}
        chief_email = form.cleaned_data["chief_email"]
        association, invitation = setup.association_create(
            facts=facts, chief_email=chief_email, by=request.user, request=request
        )
        messages.success(
            request,
            _("%(name)s är upplagt. En inbjudan har skickats till förbundschefen, %(email)s.")
            % {"name": association.name, "email": invitation.email},
        )
        return redirect("association_admin_list")
    status = 422 if request.method == "POST" else 200
    return render(request, "finsam/association_create.html", {"form": form}, status=status)


@login_required
@require_POST
def association_invite_chief(request, association: str):
    """Invite (again) a chief of an association, say when the first invitation expired."""
    _refuse_unless_installation_admin(request)
    target = get_object_or_404(Association, slug=association)
    form = InvitationForm({"email": request.POST.get("email", ""), "role": Membership.Role.CHIEF})
    if form.is_valid():
        try:
            invitation = invitation_create(
                association=target,
                email=form.cleaned_data["email"],
                role=Membership.Role.CHIEF,
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("En inbjudan har skickats till %(email)s, förbundschef för %(name)s.")
                % {"email": invitation.email, "name": target.name},
            )
    else:
        messages.error(
            request,
            _("Skriv en giltig e-postadress till förbundschefen för %(name)s.") % {"name": target.name},
        )
    return redirect("association_admin_list")


# --- The chief: the association's facts and lists -------------------------------------------------------


def _refuse_unless_chief(request) -> None:
    if not request.access.is_chief:
        raise PermissionDenied(_("Bara förbundschefen kan ändra förbundets uppgifter."))


def _settings_context(association) -> dict:
    lists = []
    for kind in setup.KINDS.values():
        items = getattr(association, kind.related_name).all()
        if kind.slug == "styrelse":
            items = items.select_related("appointed_by")
        lists.append({"kind": kind, "items": list(items)})
    return {"association": association, "lists": lists}


@association_view
@require_http_methods(["GET", "POST"])
def association_settings(request):
    """The association's facts (a form) and its organisations, board and staff (lists)."""
    _refuse_unless_chief(request)
    association = request.access.association
    # A copy to bind: a refused form must not rename the association shown in the page's header.
    form = AssociationFactsForm(
        request.POST or None, request.FILES or None, instance=Association.objects.get(pk=association.pk)
    )
    if request.method == "POST" and form.is_valid():
        setup.association_facts_update(association=association, facts=form.cleaned_data)
        messages.success(request, _("Förbundets uppgifter är sparade."))
        return redirect("association_settings", association=association.slug)
    status = 422 if request.method == "POST" else 200
    context = {**_settings_context(association), "form": form}
    return render(request, "finsam/association_settings.html", context, status=status)


def _kind(slug: str) -> setup.SetupKind:
    try:
        return setup.KINDS[slug]
    except KeyError:
        raise Http404 from None


def _item_page(request, kind, form, *, item=None, conflict: str = "", status: int = 200):
    context = {
        "association": request.access.association,
        "kind": kind,
        "form": form,
        "item": item,
        "conflict": conflict,
    }
    return render(request, "finsam/setup_item.html", context, status=status)


@association_view
@require_http_methods(["GET", "POST"])
def setup_item_add(request, kind: str):
    kind = _kind(kind)
    _refuse_unless_chief(request)
    association = request.access.association
    form = kind.form_class(request.POST or None, association=association)
    if request.method == "POST" and form.is_valid():
        item = setup.setup_item_add(association=association, form=form)
        messages.success(request, _("Sparat: %(item)s.") % {"item": item})
        return redirect("association_settings", association=association.slug)
    return _item_page(request, kind, form, status=422 if request.method == "POST" else 200)


@association_view
@require_http_methods(["GET", "POST"])
def setup_item_edit(request, kind: str, item: int):
    kind = _kind(kind)
    association = request.access.association
    # Looked up through the association before the role is checked: another association's row is a 404.
    row = get_object_or_404(getattr(association, kind.related_name), pk=item)
    _refuse_unless_chief(request)
    form = kind.form_class(request.POST or None, instance=row, association=association)
    if request.method == "POST" and form.is_valid():
        try:
            row = setup.setup_item_update(item=row, form=form)
        except StaleVersion as conflict:
            if conflict.current is None:
                messages.error(request, _("Raden har tagits bort av någon annan."))
                return redirect("association_settings", association=association.slug)
            form = kind.form_class(instance=conflict.current, association=association)
            message = _(
                "Någon annan har ändrat raden medan du skrev. Här är det som nu är sparat: ändra igen."
            )
            return _item_page(request, kind, form, item=conflict.current, conflict=message, status=409)
        messages.success(request, _("Sparat: %(item)s.") % {"item": row})
        return redirect("association_settings", association=association.slug)
    return _item_page(request, kind, form, item=row, status=422 if request.method == "POST" else 200)


@association_view
@require_POST
def setup_item_delete(request, kind: str, item: int):
    kind = _kind(kind)
    association = request.access.association
    row = get_object_or_404(getattr(association, kind.related_name), pk=item)
    _refuse_unless_chief(request)
    try:
        setup.setup_item_delete(item=row)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Borttaget: %(item)s.") % {"item": row})
    return redirect("association_settings", association=association.slug)
