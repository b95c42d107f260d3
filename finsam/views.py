from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render

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


def accessibility_statement(request):
    return render(request, "finsam/accessibility.html")


def healthz(request):
    """Liveness for the load balancer: answers without touching the database or the session."""
    return HttpResponse("ok", content_type="text/plain")
