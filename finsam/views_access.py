"""Who has access to an association: the chief invites by e-mail with a role, withdraws an invitation and
removes someone's access (`finsam.invitations`); the invited person accepts at the link's page.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from finsam import invitations
from finsam.access import association_view
from finsam.forms import AcceptInvitationForm, InvitationForm
from finsam.models import Membership

Role = Membership.Role
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _refuse_unless_chief(request) -> None:
    if not request.access.is_chief:
        raise PermissionDenied(_("Bara förbundschefen kan bjuda in och ta bort behörigheter."))


def _access_page(request, form, *, status: int = 200):
    association = request.access.association
    memberships = sorted(
        association.memberships.select_related("user").order_by("user__last_name", "user__username"),
        key=lambda membership: Role.values.index(membership.role),  # chief, chair, board, reader
    )
    chiefs = [membership for membership in memberships if membership.role == Role.CHIEF]
    context = {
        "association": association,
        "memberships": memberships,
        "last_chief": chiefs[0].pk if len(chiefs) == 1 else None,
        "invitations": invitations.pending_invitations(association),
        "form": form,
        "invitation_days": settings.FINSAM_INVITATION_DAYS,
        "roles": Role.choices,
    }
    return render(request, "finsam/access.html", context, status=status)


@association_view
@require_http_methods(["GET", "POST"])
def association_access(request):
    """The association's people and their roles, pending invitations, and a form to invite someone."""
    _refuse_unless_chief(request)
    association = request.access.association
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.invitation_create(
                association=association,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("En inbjudan har skickats till %(email)s (%(role)s).")
                % {"email": invitation.email, "role": invitation.get_role_display().lower()},
            )
            return redirect("association_access", association=association.slug)
    return _access_page(request, form, status=422 if request.method == "POST" else 200)


@association_view
@require_POST
def membership_remove(request, membership: int):
    """Remove someone's access to the association (never the last chief's)."""
    association = request.access.association
    # Looked up through the association before the role is checked: another association's row is a 404.
    row = get_object_or_404(association.memberships.select_related("user"), pk=membership)
    _refuse_unless_chief(request)
    try:
        invitations.membership_remove(membership=row)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        name = row.user.get_full_name() or row.user.get_username()
        messages.success(request, _("%(name)s har inte längre tillgång till förbundet.") % {"name": name})
        if row.user_id == request.user.pk and not request.user.is_superuser:
            return redirect("dashboard")
    return redirect("association_access", association=association.slug)


@association_view
@require_POST
def membership_role(request, membership: int):
    """Give someone another role (the last chief stays chief)."""
    association = request.access.association
    row = get_object_or_404(association.memberships.select_related("user"), pk=membership)
    _refuse_unless_chief(request)
    role = request.POST.get("role", "")
    name = row.user.get_full_name() or row.user.get_username()
    if role not in Role.values:
        messages.error(request, _("Välj en roll i listan för %(name)s.") % {"name": name})
        return redirect("association_access", association=association.slug)
    try:
        invitations.membership_set_role(membership=row, role=role)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s är nu %(role)s.") % {"name": name, "role": row.get_role_display().lower()}
        )
    return redirect("association_access", association=association.slug)


@association_view
@require_POST
def invitation_revoke(request, invitation: int):
    association = request.access.association
    row = get_object_or_404(association.invitations.filter(accepted_at__isnull=True), pk=invitation)
    _refuse_unless_chief(request)
    invitations.invitation_revoke(invitation=row)
    messages.success(request, _("Inbjudan till %(email)s är återkallad.") % {"email": row.email})
    return redirect("association_access", association=association.slug)


# --- The invited person ---------------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """The invitation's link. Someone new chooses a name and a password and is logged in; someone with an
    account logs in first and accepts with one button. An unusable link says why and where to go."""
    try:
        invitation = invitations.invitation_for_token(token)
    except invitations.InvitationError as error:
        return render(request, "finsam/invitation_accept.html", {"problem": str(error)})
    account = invitations.existing_user(invitation.email)
    context = {"invitation": invitation, "account": account}
    if account is not None:
        if request.method == "POST" and request.user.is_authenticated:
            try:
                invitations.invitation_accept_existing(token=token, user=request.user)
            except invitations.InvitationError as error:
                return render(request, "finsam/invitation_accept.html", {**context, "problem": str(error)})
            return _welcome(request, invitation)
        return render(request, "finsam/invitation_accept.html", context)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.invitation_accept_new(
                token=token,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except invitations.InvitationError as error:
            return render(request, "finsam/invitation_accept.html", {"problem": str(error)})
        login(request, user, backend=LOGIN_BACKEND)
        return _welcome(request, invitation)
    status = 422 if request.method == "POST" else 200
    return render(request, "finsam/invitation_accept.html", {**context, "form": form}, status=status)


def _welcome(request, invitation):
    messages.success(
        request,
        _("Välkommen till %(name)s i finsam. Ditt användarnamn är %(username)s.")
        % {"name": invitation.association.name, "username": request.user.get_username()},
    )
    # An insats owner sees nothing of the association but their own insatser: their home is that list.
    if invitation.role == Role.INTERVENTION_OWNER:
        return redirect("my_interventions", association=invitation.association.slug)
    return redirect(invitation.association.get_absolute_url())
