"""Every long text of a plan's parts is Markdown, rendered through the one sanitiser on the page and in the
PDF: a bulleted list in a target group's description stays a list."""

import pytest
from django.urls import reverse

from plans.models import Chapter, CommunicationItem, ControlItem, TargetGroup

pytestmark = pytest.mark.django_db


def test_lists_in_a_target_group_control_and_communication_text_render_as_lists(chief_client, small_plan):
    for position, kind in enumerate(("target_groups", "control", "communication"), start=50):
        Chapter.objects.create(plan=small_plan, heading=kind, kind=kind, level=1, position=position)
    TargetGroup.objects.create(
        plan=small_plan,
        name="Unga vuxna",
        description="Som:\n\n- saknar arbete\n- <script>x</script>studerar inte",
    )
    ControlItem.objects.create(plan=small_plan, routine="Attest", control_step="- stickprov\n- *varje* månad")
    CommunicationItem.objects.create(plan=small_plan, audience="Medlemmar", channel="1. nyhetsbrev\n2. möten")
    page = chief_client.get(
        reverse("plan_detail", kwargs={"association": small_plan.association.slug, "pk": small_plan.pk})
    ).content.decode()
    assert "<li>saknar arbete</li>" in page
    assert "<script>x</script>" not in page  # the same sanitiser as every Markdown text
    assert "<li>stickprov</li>" in page and "<em>varje</em>" in page
    assert "<li>nyhetsbrev</li>" in page
