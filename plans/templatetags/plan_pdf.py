"""`{% load plan_pdf %}`: the PDF state a plan page shows, without rendering anything."""

from django import template
from django.urls import reverse

from plans.pdf import plan_pdf_latest

register = template.Library()


@register.simple_tag(takes_context=True)
def plan_pdf_state(context, plan) -> dict:
    """`pdf`: the adopted plan's archive, or a draft's PDF being made (else None); `public_url`: the
    open link, for an adopted plan of an association that publishes its plans."""
    public_url = ""
    if plan.is_public:
        path = reverse("plan_pdf_public", kwargs={"association": plan.association.slug, "pk": plan.pk})
        request = context.get("request")
        public_url = request.build_absolute_uri(path) if request is not None else path
    return {"pdf": plan_pdf_latest(plan), "public_url": public_url}
