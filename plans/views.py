from django.shortcuts import render

from finsam.access import association_view, get_plan
from plans.queries import plan_document


@association_view
def plan_detail(request, pk: int):
    plan = get_plan(request, pk)
    return render(request, "plans/plan_detail.html", {"doc": plan_document(plan), "plan": plan})
