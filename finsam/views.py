from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render

from finsam.access import association_view
from finsam.models import Association


@login_required
def dashboard(request):
    """The associations the user belongs to; with just one, go straight to it."""
    if request.user.is_superuser:
        associations = Association.objects.all()
    else:
        associations = Association.objects.filter(memberships__user=request.user)
    associations = list(associations.annotate(plan_count=Count("plans")).order_by("name"))
    if len(associations) == 1:
        return redirect(associations[0])
    return render(request, "finsam/dashboard.html", {"associations": associations})


@association_view
def association_detail(request):
    """The association's plans by year, with their state."""
    plans = request.access.visible_plans().order_by("-first_year", "-revision")
    return render(
        request,
        "finsam/association.html",
        {"association": request.access.association, "plans": plans},
    )


def accessibility_statement(request):
    return render(request, "finsam/accessibility.html")


def healthz(request):
    """Liveness for the load balancer: answers without touching the database or the session."""
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")
