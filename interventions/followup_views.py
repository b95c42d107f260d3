"""One insats's follow-up of a year: the report for the chief and its insats owners, their list of insatser;
on the insats's page, the chief names its insats owners and invites one by e-mail.

The plan's overview of every insats's follow-up, money beside people, is a page of budgets
(`budgets.views.followup_interventions`): it reads the budget follow-up, which sits on the floor above."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from finsam.access import association_view, open_to_intervention_owners
from interventions import owner_invitations
from interventions.followup import (
    followed_plan,
    followed_years,
    intervention_reporters_set,
    intervention_year_save,
    may_report,
    owners_of,
    reported_interventions,
)
from interventions.forms import InterventionYearForm, OwnerInvitationForm
from interventions.models import Intervention, InterventionInvitation, InterventionYear
from interventions.views import detail_context, owners_context
from plans.gateway import followup_refusal


@association_view
@require_GET
@open_to_intervention_owners
def my_interventions(request):
    """The insatser this person reports (all for the chief), each with the years it can be reported for:
    the insats owner's home in the association."""
    interventions = list(reported_interventions(request.access, request.user))
    years = followed_years(interventions)
    for intervention in interventions:
        intervention.report_years = years.get(intervention.pk, [])
    return render(request, "interventions/my_interventions.html", {"interventions": interventions})


@association_view
@require_http_methods(["GET", "POST"])
@open_to_intervention_owners
def intervention_year_edit(request, pk: int, year: int):
    """GET: the insats's follow-up of `year` as a form. POST: save it; a refusal keeps what was typed.
    For the chief, and for the insats owners the chief named for this insats."""
    intervention = get_object_or_404(Intervention, pk=pk, association=request.access.association)
    if not may_report(request.access, request.user, intervention):  # after the lookup: a 404 comes first
        raise PermissionDenied(
            _("Bara förbundschefen och insatsens insatsansvariga rapporterar dess uppföljning.")
        )
    plan = followed_plan(intervention, year)
    # The year's adopted annual report closes its follow-up: shown, not written (the save refuses too).
    closed = followup_refusal(plan) if plan is not None else None
    saved = InterventionYear.objects.filter(intervention=intervention, year=year).first()
    form = InterventionYearForm(request.POST or None, instance=saved)
    if closed:
        for field in form.fields.values():
            field.disabled = True
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                intervention_year_save(
                    intervention=intervention,
                    year=year,
                    by=request.user,
                    values=form.values(),
                    expected_version=form.cleaned_data["version"] or 0,
                )
            except ValidationError as refusal:
                form.add_error(None, refusal.messages[0])
            else:
                messages.success(
                    request, _("Uppföljningen av %(name)s är sparad.") % {"name": intervention.name}
                )
                if plan is not None and request.access.is_chief:
                    return redirect(
                        "plan_interventions_followup", association=plan.association.slug, pk=plan.pk
                    )
                return redirect("my_interventions", association=intervention.association.slug)
        status = 422
    context = {"intervention": intervention, "year": year, "plan": plan, "form": form, "closed": closed}
    return render(request, "interventions/intervention_year.html", context, status=status)


@association_view
@require_POST
def intervention_reporters_edit(request, pk: int):
    """The chief names the insats owners who report this insats (`reporters`: user ids)."""
    intervention = get_object_or_404(Intervention, pk=pk, association=request.access.association)
    if not request.access.is_chief:
        raise PermissionDenied(_("Bara förbundschefen väljer insatsansvariga."))
    owners = owners_of(intervention.association)
    ids = [value for value in request.POST.getlist("reporters") if value.isdigit()]
    chosen = list(owners.filter(pk__in=ids))
    try:
        if len(chosen) != len(set(ids)):
            raise ValidationError(_("Bara förbundets insatsansvariga kan rapportera en insats."))
        intervention_reporters_set(intervention=intervention, users=chosen, by=request.user)
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
    else:
        messages.success(request, _("Insatsansvariga för %(name)s är sparade.") % {"name": intervention.name})
    return redirect("intervention_detail", association=intervention.association.slug, pk=intervention.pk)


def _association_intervention(request, pk: int) -> Intervention:
    """The association's insats: 404 for another association's (looked up before the role is checked)."""
    return get_object_or_404(
        Intervention.objects.select_related("association", "owner", "municipality"),
        pk=pk,
        association=request.access.association,
    )


def _refuse_unless_chief(request) -> None:
    if not request.access.is_chief:
        raise PermissionDenied(_("Bara förbundschefen bjuder in insatsansvariga."))


def _owners_answer(request, intervention: Intervention, message: str, *, form=None):
    """After inviting or withdrawing: HTMX gets the page's insats owners region with the message; a plain
    form the message and the page again. A refused form (`form` with errors) is answered with the region
    (HTMX) or the page showing it with what was typed kept: 422."""
    extra = {"owner_form": form} if form is not None else {}
    status = 422 if form is not None else 200
    if request.htmx:
        context = {
            "association": request.access.association,
            "intervention": intervention,
            # A refusal is announced by the form's own alert, not a second time in the messages.
            "owners_announcement": "" if form is not None else message,
            **owners_context(intervention, **extra),
        }
        return render(request, "interventions/intervention_detail.html#owners", context, status=status)
    if form is not None:
        context = detail_context(request, intervention, **extra)
        return render(request, "interventions/intervention_detail.html", context, status=status)
    messages.success(request, message)
    url = reverse(
        "intervention_detail", kwargs={"association": intervention.association.slug, "pk": intervention.pk}
    )
    return redirect(f"{url}#intervention-owners")


@association_view
@require_POST
def intervention_owner_invite(request, pk: int):
    """The chief invites an insats owner for this insats by e-mail address, in one step: the invitation
    remembers the insats, and whoever accepts it reports it. Someone who already is the association's insats
    owner is named at once; someone with another role is refused with a message."""
    intervention = _association_intervention(request, pk)
    _refuse_unless_chief(request)
    form = OwnerInvitationForm(request.POST)
    if form.is_valid():
        try:
            done = owner_invitations.intervention_owner_invite(
                intervention=intervention, email=form.cleaned_data["email"], by=request.user, request=request
            )
        except ValidationError as refusal:
            for field, errors in refusal.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if done.invitation is None:
                name = done.user.get_full_name() or done.user.get_username()
                message = _("%(name)s är redan insatsansvarig i förbundet och rapporterar nu %(insats)s.")
            else:
                name = done.email
                message = _(
                    "En inbjudan har skickats till %(name)s. När inbjudan är mottagen rapporterar hen %(insats)s."
                )
            return _owners_answer(
                request, intervention, message % {"name": name, "insats": intervention.name}
            )
    return _owners_answer(request, intervention, "", form=form)


@association_view
@require_POST
def intervention_owner_invitation_revoke(request, pk: int, owner_invitation: int):
    """The chief takes this insats out of a pending invitation (the whole invitation when it was its only
    insats: its link stops working)."""
    intervention = _association_intervention(request, pk)
    link = get_object_or_404(
        InterventionInvitation.objects.select_related("invitation"),
        pk=owner_invitation,
        intervention=intervention,
        invitation__accepted_at__isnull=True,
    )
    _refuse_unless_chief(request)
    whole = owner_invitations.intervention_owner_invitation_revoke(link=link)
    email = link.invitation.email
    if whole:
        message = _("Inbjudan till %(email)s är återkallad.")
    else:
        message = _(
            "Inbjudan till %(email)s gäller inte längre %(insats)s; den gäller kvar för andra insatser."
        )
    return _owners_answer(request, intervention, message % {"email": email, "insats": intervention.name})
