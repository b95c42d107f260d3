from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from finsam import calendar, health
from finsam.access import association_view
from finsam.forms import AssociationDateForm


def accessibility_statement(request):
    return render(request, "finsam/accessibility.html")


def healthz(request):
    """Liveness for the load balancer: answers without touching the database or the session."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_safe
def readyz(request):
    """Readiness for the load balancer: 200 "ready" when the database and the file store work, else 503
    with the checks that failed (finsam/health.py), within a second either way."""
    problems = health.readiness()
    if problems:
        body = "not ready\n" + "".join(f"{problem}\n" for problem in problems)
        return HttpResponse(body, content_type="text/plain; charset=utf-8", status=503)
    return HttpResponse("ready\n", content_type="text/plain; charset=utf-8")


# --- The association's calendar (årshjul) -----------------------------------------------------------------


def _calendar_response(request, *, form=None, editing=None, status: int = 200, announce: str = ""):
    """The calendar page, or its `calendar` partial for an HTMX request. `editing`: the date whose form
    is shown (in place of the form for a new date)."""
    association = request.access.association
    if form is None:
        form = AssociationDateForm(initial=_initial(editing) if editing else None)
    if editing:  # htmx puts the focus in the form it swapped in
        form.fields["date"].widget.attrs["autofocus"] = True
    context = {
        "association": association,
        "dates": calendar.association_dates(association),
        "deadline": calendar.calendars([association], timezone.localdate())[association.pk].deadline,
        "form": form,
        "editing": editing,
        "can_edit": request.access.is_chief,
        "announce": announce,
    }
    template = "finsam/calendar.html#calendar" if request.htmx else "finsam/calendar.html"
    return render(request, template, context, status=status)


def _initial(row) -> dict:
    return {"date": row.date, "kind": row.kind, "title": row.title}


def _add_errors(form, error: ValidationError) -> None:
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _refuse_unless_chief(request) -> None:
    if not request.access.is_chief:
        raise PermissionDenied(_("Bara förbundschefen kan ändra förbundets årshjul."))


@association_view
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def association_calendar(request):
    """The association's dates (medlemssamråd, board meetings, the adoption): everyone in the association
    sees them; the chief adds them here."""
    if request.method == "GET":
        return _calendar_response(request)
    _refuse_unless_chief(request)
    form = AssociationDateForm(request.POST)
    if form.is_valid():
        try:
            row = calendar.association_date_add(association=request.access.association, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            announce = _("Sparat: %(date)s %(label)s.") % {"date": row.date.isoformat(), "label": row.label}
            if not request.htmx:
                messages.success(request, announce)
                return redirect("association_calendar", association=request.access.association.slug)
            return _calendar_response(request, announce=announce)
    return _calendar_response(request, form=form, status=422)


@association_view
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def association_calendar_edit(request, pk: int):
    """The chief changes one of the association's dates (another association's date is a 404)."""
    row = get_object_or_404(request.access.association.dates, pk=pk)
    _refuse_unless_chief(request)
    if request.method == "GET":
        return _calendar_response(request, editing=row)
    form = AssociationDateForm(request.POST)
    if form.is_valid():
        try:
            row = calendar.association_date_update(row=row, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            announce = _("Sparat: %(date)s %(label)s.") % {"date": row.date.isoformat(), "label": row.label}
            if not request.htmx:
                messages.success(request, announce)
                return redirect("association_calendar", association=request.access.association.slug)
            return _calendar_response(request, announce=announce)
    return _calendar_response(request, form=form, editing=row, status=422)


@association_view
@require_POST
def association_calendar_delete(request, pk: int):
    """Remove one date from the association's calendar (another association's date is a 404)."""
    # Looked up through the association before the role is checked: another association's date is a 404.
    row = get_object_or_404(request.access.association.dates, pk=pk)
    _refuse_unless_chief(request)
    calendar.association_date_delete(row=row)
    announce = _("Datumet är borttaget.")
    if not request.htmx:
        messages.success(request, announce)
        return redirect("association_calendar", association=request.access.association.slug)
    return _calendar_response(request, announce=announce)
