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


def test_a_figure_in_running_text_never_breaks_across_lines():
    """Groups of thousands and the unit stay on one line with the number (no-break spaces)."""
    from finsam.templatetags.finsam import markdown_to_safe_html

    html = markdown_to_safe_html(
        "Vi budgeterar 810 000 kronor, 1 258 500 kr och 25 % till 2027 och 12 insatser."
    )
    assert (
        "810&nbsp;000&nbsp;kronor" in html and "1&nbsp;258&nbsp;500&nbsp;kr" in html and "25&nbsp;%" in html
    )
    assert "2027 och 12 insatser" in html  # a year and a count followed by words keep their spaces
