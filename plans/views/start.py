"""The start page: for each association the user belongs to, what waits for them there."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from finsam.models import Association
from plans.inbox import start_page


@require_GET
@login_required
def start(request):
    sections = start_page(request.user, today=timezone.localdate())
    # A superuser may open every association; those they are not a member of are listed, not summarised.
    others = (
        Association.objects.exclude(pk__in=[section.association.pk for section in sections]).order_by("name")
        if request.user.is_superuser
        else []
    )
    return render(
        request,
        "plans/start.html",
        {
            "sections": sections,
            "other_associations": others,
            "today": timezone.localdate(),
            # An installation administrator (not necessarily staff, whom the navigation links for) finds
            # the setting up of associations here.
            "sets_up_associations": request.user.has_perm("finsam.add_association"),
        },
    )
