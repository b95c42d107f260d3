"""The review pages: the document with comment threads, the actions' forms, comments, what changed,
history; and after adoption, every editing endpoint of the plan refuses (found by walking the URLs)."""

import re

import pytest
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import get_converters
from django.utils import timezone

from finsam.models import Membership
from plans import review
from plans.models import Chapter, Comment, Plan, PlanEvent, Stance
from plans.snapshots import snapshot_content
from tests.test_review_transitions import build_world

pytestmark = pytest.mark.django_db
Role = Membership.Role
TODAY = timezone.localdate()


def url(name, plan, **kwargs):
    return reverse(name, kwargs={"association": plan.association.slug, "pk": plan.pk, **kwargs})


def intervention_key(plan):
    return f"intervention-{plan.plan_interventions.get().intervention_id}"


# --- the review page --------------------------------------------------------------------------------


def test_board_member_sees_the_document_threads_checks_and_stance_buttons(client):
    world = build_world("in_review")
    plan = world.plan
    review.comment_add(
        plan=plan,
        by=world.user(Role.CHAIR),
        target_kind="intervention",
        target_key=intervention_key(plan),
        body="Hur många platser?",
    )
    client.force_login(world.user(Role.BOARD))
    page = client.get(url("plan_review", plan)).text
    assert "Vägen till arbete" in page and "Förbundet arbetar för samverkan" in page
    # The thread sits inside the intervention's section of the document.
    section = page[page.index(f'id="insats-{plan.plan_interventions.get().intervention_id}"') :]
    section = section[: section.index("</section>")]
    assert "Hur många platser?" in section
    assert 'value="approve"' in page and 'value="request_changes"' in page
    assert 'value="adopt"' not in page and 'value="submit"' not in page
    assert "Budgeten för 2027 är inte i balans" in page  # the plan checks
    assert "Markera som löst" not in page  # only the chief resolves


def test_chief_sees_submit_on_a_draft_and_only_adoption_and_withdrawal_when_approved(client):
    world = build_world("draft")
    client.force_login(world.user(Role.CHIEF))
    page = client.get(url("plan_review", world.plan)).text
    assert 'value="submit"' in page and "version 1" in page
    world = build_world("approved")
    client.force_login(world.user(Role.CHIEF))
    page = client.get(url("plan_review", world.plan)).text
    assert 'value="adopt"' in page and 'value="withdraw"' in page and 'value="approve"' not in page


def test_readers_do_not_see_plans_under_review_but_read_adopted_ones(client):
    world = build_world("in_review")
    client.force_login(world.user(Role.READER))
    for name in ("plan_review", "plan_changes", "plan_history"):
        assert client.get(url(name, world.plan)).status_code == 404
    world = build_world("adopted")
    client.force_login(world.user(Role.READER))
    page = client.get(url("plan_review", world.plan))
    assert page.status_code == 200
    assert "Fastställd 2026-11-25 §39" in page.text
    assert "Kommentera" not in page.text and '<form method="post" action="/f' not in page.text


def test_outsiders_get_404_and_anonymous_users_the_login_page(client):
    world = build_world("in_review")
    for name in ("plan_review", "plan_changes", "plan_history"):
        client.force_login(world.user("outsider"))
        assert client.get(url(name, world.plan)).status_code == 404
        client.logout()
        assert client.get(url(name, world.plan))["Location"].startswith(reverse("login"))


# --- actions with bad input -------------------------------------------------------------------------


def test_adoption_with_a_future_date_shows_the_error_next_to_the_field_and_keeps_the_input(client):
    world = build_world("approved")
    client.force_login(world.user(Role.CHAIR))
    future = (TODAY.replace(year=TODAY.year + 1)).isoformat()
    response = client.post(
        url("plan_action", world.plan), {"action": "adopt", "adopted_on": future, "minutes_reference": "§7"}
    )
    assert response.status_code == 422
    assert "Beslutsdatumet kan inte ligga i framtiden." in response.text
    assert f'value="{future}"' in response.text and 'value="§7"' in response.text
    world.plan.refresh_from_db()
    assert world.plan.state == Plan.State.APPROVED


def test_adoption_without_paragraph_and_withdrawal_without_reason_are_refused(client):
    world = build_world("approved")
    client.force_login(world.user(Role.CHIEF))
    response = client.post(
        url("plan_action", world.plan), {"action": "adopt", "adopted_on": TODAY.isoformat()}
    )
    assert response.status_code == 422
    assert "Ange paragrafen i protokollet" in response.text
    response = client.post(url("plan_action", world.plan), {"action": "withdraw", "reason": " "})
    assert response.status_code == 422
    assert "Skriv varför planen tas tillbaka." in response.text
    world.plan.refresh_from_db()
    assert world.plan.state == Plan.State.APPROVED and world.plan.events.count() == 0


def test_requesting_changes_without_a_comment_is_refused(client):
    world = build_world("in_review")
    client.force_login(world.user(Role.BOARD))
    response = client.post(url("plan_action", world.plan), {"action": "request_changes", "comment": ""})
    assert response.status_code == 422
    assert "Skriv vilka ändringar du vill se." in response.text
    assert Stance.objects.count() == 0


def test_invalid_input_from_a_forbidden_role_is_still_a_403(client):
    world = build_world("approved")
    client.force_login(world.user(Role.BOARD))
    assert client.post(url("plan_action", world.plan), {"action": "adopt"}).status_code == 403


# --- comments ---------------------------------------------------------------------------------------


def test_board_member_comments_on_an_intervention(client):
    world = build_world("in_review")
    plan = world.plan
    client.force_login(world.user(Role.BOARD))
    key = intervention_key(plan)
    response = client.post(
        url("comment_create", plan), {"target": f"intervention:{key}", "body": "Hur följs den upp?"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#kommentarer-{key}")
    comment = Comment.objects.get()
    assert (comment.target_label, comment.snapshot.number, comment.author) == (
        "Vägen till arbete",
        1,
        world.user(Role.BOARD),
    )
    assert plan.events.filter(action=PlanEvent.Action.COMMENTED).count() == 1


def test_htmx_comment_returns_the_thread_and_errors_keep_the_text(client):
    world = build_world("in_review")
    plan = world.plan
    client.force_login(world.user(Role.BOARD))
    target = f"chapter:chapter-{plan.chapters.get(heading='Inledning').pk}"
    response = client.post(
        url("comment_create", plan),
        {"target": target, "body": "Bra inledning."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<aside class="review-threads"')
    assert "Bra inledning." in response.text
    assert "Kommentaren är sparad." in response.text  # announced in the live region, out of band

    response = client.post(
        url("comment_create", plan), {"target": target, "body": "   "}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert "Skriv en kommentar." in response.text
    response = client.post(url("comment_create", plan), {"target": target, "body": "x" * 5001})
    assert response.status_code == 422
    assert "x" * 5001 in response.text
    assert Comment.objects.count() == 1


def test_a_comment_on_something_not_in_the_plan_is_refused(client):
    world = build_world("in_review")
    other = build_world("in_review")
    client.force_login(world.user(Role.BOARD))
    foreign = f"intervention:{intervention_key(other.plan)}"
    for target in (foreign, "chapter:chapter-999999", "nonsense", ""):
        response = client.post(url("comment_create", world.plan), {"target": target, "body": "Hm."})
        assert response.status_code == 422, target
        assert "Den delen finns inte i planen." in response.text
    assert Comment.objects.count() == 0


def test_replies_join_the_thread_and_only_the_chief_resolves(client):
    world = build_world("in_review")
    plan = world.plan
    thread = review.comment_add(
        plan=plan, by=world.user(Role.BOARD), target_kind="plan", target_key="plan", body="Fråga."
    )
    client.force_login(world.user(Role.CHIEF))
    client.post(url("comment_create", plan), {"parent": thread.pk, "body": "Svar."})
    reply = Comment.objects.get(parent=thread)
    assert (reply.target_kind, reply.target_key) == ("plan", "plan")

    client.force_login(world.user(Role.BOARD))
    assert client.post(url("comment_resolve", plan, comment_pk=thread.pk)).status_code == 403
    client.force_login(world.user("outsider"))
    assert client.post(url("comment_resolve", plan, comment_pk=thread.pk)).status_code == 404
    client.force_login(world.user(Role.CHIEF))
    assert client.post(url("comment_resolve", plan, comment_pk=thread.pk)).status_code == 302
    thread.refresh_from_db()
    assert thread.is_resolved and thread.resolved_by == world.user(Role.CHIEF)
    page = client.get(url("plan_review", plan)).text
    assert "Löst" in page and "Fråga." in page  # resolved threads stay readable


def test_a_comment_of_another_plan_cannot_be_answered_or_resolved_through_this_one(client):
    world = build_world("in_review")
    other = build_world("in_review")
    foreign = review.comment_add(
        plan=other.plan, by=other.user(Role.BOARD), target_kind="plan", target_key="plan", body="Annan."
    )
    client.force_login(world.user(Role.CHIEF))
    assert (
        client.post(url("comment_create", world.plan), {"parent": foreign.pk, "body": "Hej"}).status_code
        == 404
    )
    assert client.post(url("comment_resolve", world.plan, comment_pk=foreign.pk)).status_code == 404


@pytest.mark.parametrize("readers_can_comment", [False, True])
def test_readers_comment_on_adopted_plans_only_when_the_association_allows_it(client, readers_can_comment):
    world = build_world("adopted", readers_can_comment=readers_can_comment)
    client.force_login(world.user(Role.READER))
    response = client.post(
        url("comment_create", world.plan), {"target": "plan:plan", "body": "En fråga från en läsare."}
    )
    assert response.status_code == (302 if readers_can_comment else 403)
    assert Comment.objects.count() == int(readers_can_comment)
    assert ("Kommentera" in client.get(url("plan_review", world.plan)).text) == readers_can_comment


# --- what changed -----------------------------------------------------------------------------------


def test_what_changed_defaults_to_since_the_version_this_member_last_reviewed(client):
    world = build_world("in_review")
    plan, chief, board = world.plan, world.user(Role.CHIEF), world.user(Role.BOARD)
    review.plan_stance_record(
        plan=plan, by=board, stance=Stance.Kind.CHANGES_REQUESTED, comment="Skriv om inledningen."
    )
    Chapter.objects.filter(plan=plan, heading="Inledning").update(
        body="Förbundet arbetar för samverkan mellan alla parterna."
    )
    review.plan_submit(plan=plan, by=chief)

    client.force_login(board)
    page = client.get(url("plan_changes", plan))
    assert page.status_code == 200
    text = page.text
    assert "Från <strong>Version 1" in text and "till <strong>Version 2" in text
    assert "1 ändrad del." in text
    assert re.search(
        r"<ins><span class=\"visually-hidden\">\[tillagt: </span>alla </span>|<ins>.*?alla", text
    )

    response = client.get(url("plan_changes", plan), {"since": "v1", "until": "v1"})
    assert "Inga ändringar." in response.text
    assert client.get(url("plan_changes", plan), {"since": "v9", "until": "v1"}).status_code == 422


def test_history_lists_every_event_and_cannot_be_posted_to(client):
    world = build_world("in_review")
    plan = world.plan
    review.plan_stance_record(
        plan=plan, by=world.user(Role.BOARD), stance=Stance.Kind.APPROVE, comment="Bra plan."
    )
    review.plan_adopt(plan=plan, by=world.user(Role.CHAIR), adopted_on=TODAY, minutes_reference="§9")
    client.force_login(world.user(Role.READER))
    page = client.get(url("plan_history", plan)).text
    assert "Tillstyrker (version 1): Bra plan." in page
    assert f"Fastställd av styrelsen {TODAY.isoformat()} §9 (version 1)" in page
    assert client.post(url("plan_history", plan)).status_code == 405


# --- after adoption, nothing edits the plan ---------------------------------------------------------

# Endpoints under a plan's address that accept POST but do not edit the plan: discussing an adopted plan
# (and answering or resolving that discussion), asking for its PDF (an adopted plan answers with its
# archive), and the plan page, which does not restrict the method and only reads. The plan's content
# must still not change through them.
NOT_EDITING = {"comment_create", "comment_resolve", "plan_pdf", "plan_detail"}
# Publishing an adopted plan at its open link is what an adopted plan allows (tests/test_publishing.py).
# So is entering the year's outcome and forecast, its own record beside the frozen plan (tests/test_followup_views.py).
ADOPTED_PLAN_ACTIONS = {
    "plan_publish",
    "indicator_outcome_edit",
    "followup_outcome",
    "followup_forecast",
    "followup_comment",
    "followup_import",
    "report_new",  # starts a report on the plan; the plan itself does not change
}
PLAN_PREFIX = "f/<slug:association>/planer/<int:pk>/"
MINIMAL_POST = {
    "version": "1",
    "heading": "Ändrad",
    "title": "Ändrad",
    "name": "Ändrad",
    "body": "Ändrad",
    "text": "Ändrad",
    "amount": "1",
    "level": "1",
    "kind": "text",
    "position": "1",
    "direction": "up",
    "action": "submit",
    "target": "plan:plan",
}


def walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def fill(route: str, values: dict) -> str:
    """The route with every <converter:name> replaced by a value that converter accepts."""
    converters = get_converters()

    def value(match):
        converter, name = match.group("converter") or "str", match.group("name")
        if name in values:
            return str(values[name])
        if converter == "int":
            return str(values["__int__"])
        if converter in ("str", "slug", "path"):
            return "x"
        return re.sub(r"[()?:^$]", "", converters[converter].regex.split("|")[0])

    return "/" + re.sub(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>", value, route)


def content_dump(plan: Plan) -> dict:
    plan.refresh_from_db()
    return {
        "row": model_to_dict(plan),
        "content": snapshot_content(plan),
        "parts": {
            name: getattr(plan, name).count()
            for name in (
                "chapters",
                "goals",
                "target_groups",
                "control_items",
                "communication_items",
                "activity_items",
                "budget_columns",
                "budget_groups",
                "plan_interventions",
            )
        },
    }


def test_after_adoption_every_editing_endpoint_of_the_plan_refuses(client):
    world = build_world("approved")
    plan = world.plan
    review.plan_adopt(plan=plan, by=world.user(Role.CHAIR), adopted_on=TODAY, minutes_reference="§9")
    chapter = plan.chapters.first()
    before = content_dump(plan)
    client.force_login(world.user(Role.CHIEF))

    routes = [
        (route, pattern)
        for route, pattern in walk(get_resolver().url_patterns)
        if route.startswith(PLAN_PREFIX) and pattern.name not in ADOPTED_PLAN_ACTIONS
    ]
    assert len(routes) >= 6  # the walk found the review endpoints at least
    checked, accepted = [], []
    for route, pattern in routes:
        for number in (chapter.pk, plan.goals.first().pk):
            address = fill(route, {"association": plan.association.slug, "pk": plan.pk, "__int__": number})
            response = client.post(address, MINIMAL_POST)
            if response.status_code == 405:
                break  # a page that does not accept POST
            checked.append(pattern.name)
            allowed = (200, 302, 403, 404, 422) if pattern.name in NOT_EDITING else (403, 404)
            if response.status_code not in allowed:
                accepted.append((pattern.name, address, response.status_code))
    assert accepted == []
    assert {"plan_action", "comment_create"} <= set(checked)
    # Every state-changing action, one by one, also refuses.
    for action in ("submit", "withdraw", "approve", "request_changes", "adopt"):
        assert client.post(url("plan_action", plan), {**MINIMAL_POST, "action": action}).status_code == 403
    assert content_dump(plan) == before


def test_the_demo_gives_each_board_member_a_real_plan_to_review(client):
    from finsam.models import Association
    from finsam.site.demo.loader import load_demo
    from finsam.site.demo.review import load_review_demo

    load_demo()
    for association in Association.objects.all():
        plan = load_review_demo(association)
        assert plan.state == Plan.State.IN_REVIEW
        assert plan.rolled_over_from.state == Plan.State.ADOPTED
        client.force_login(association.memberships.get(role=Role.BOARD).user)
        page = client.get(url("plan_review", plan)).text
        assert "Unga vuxna i arbete" in page and "Hur många deltagare räknar ni med" in page
        assert 'value="approve"' in page
        changes = client.get(url("plan_changes", plan)).text
        assert "Från <strong>" in changes and "version 1 (fastställd)" in changes
        assert "Unga vuxna i arbete" in changes and "Tillagt" in changes
        assert "prioriterar förbundet unga vuxna" in changes
        assert load_review_demo(association) is None  # once only


def test_htmx_reply_on_a_budget_line_returns_the_budget_comments_block(client):
    from budgets.models import BudgetLine

    world = build_world("in_review")
    plan = world.plan
    line = BudgetLine.objects.get(name="Förbundschef")
    thread = review.comment_add(
        plan=plan,
        by=world.user(Role.BOARD),
        target_kind="budget_line",
        target_key=f"line-{line.pk}",
        body="Varför?",
    )
    client.force_login(world.user(Role.CHIEF))
    response = client.post(
        url("comment_create", plan),
        {"parent": thread.pk, "body": "Lönerevision."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(
        '<aside class="review-threads review-threads--budget" id="kommentarer-budget"'
    )
    assert "Lönerevision." in response.text
    assert f'hx-target="#kommentarer-line-{line.pk}"' not in response.text  # replies swap the whole block
    # The row's own thread count in the table follows, out of band.
    assert re.search(r'<span class="row-comment" id="rad-kommentar-\d+" hx-swap-oob="true">', response.text)


def test_the_review_page_needs_the_same_number_of_queries_however_much_is_commented(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from plans.models import PlanSnapshot
    from plans.snapshots import snapshot_content
    from tests.factories import ChapterFactory, GoalFactory, IndicatorFactory

    world = build_world("in_review")
    plan, board, chief = world.plan, world.user(Role.BOARD), world.user(Role.CHIEF)
    client.force_login(board)
    client.get(url("plan_review", plan))  # the first request after a login refreshes the session

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("plan_review", plan)).status_code == 200
        return len(captured)

    small = queries()  # no comments at all
    review.comment_add(plan=plan, by=board, target_kind="plan", target_key="plan", body="Första.")
    added = []
    for number in range(4):
        chapter = ChapterFactory(plan=plan, heading=f"Tillägg {number}", position=10 + number)
        goal = GoalFactory(plan=plan, title=f"Mål {number}")
        IndicatorFactory(goal=goal)
        added.append((chapter, goal))
    # The board reviews (and comments on) the frozen version: the larger plan as the next version.
    PlanSnapshot.objects.create(plan=plan, number=plan.snapshots.count() + 1, content=snapshot_content(plan))
    for chapter, goal in added:
        for target_kind, target_key in (("chapter", f"chapter-{chapter.pk}"), ("goal", f"goal-{goal.pk}")):
            thread = review.comment_add(
                plan=plan, by=board, target_kind=target_kind, target_key=target_key, body="Fråga."
            )
            review.comment_reply(comment=thread, by=chief, body="Svar.")
    assert queries() == small


def test_what_changed_takes_the_same_number_of_queries_however_much_changed(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ChapterFactory, GoalFactory

    world = build_world("in_review")
    plan, chief, board = world.plan, world.user(Role.CHIEF), world.user(Role.BOARD)

    def resubmit(change):
        review.plan_withdraw(plan=plan, by=chief, reason="Fler ändringar.")
        change()
        review.plan_submit(plan=plan, by=chief, notify=False)

    def changes_between(since, until):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("plan_changes", plan), {"since": since, "until": until})
        assert response.status_code == 200
        return response, len(captured)

    resubmit(lambda: Chapter.objects.filter(plan=plan, heading="Inledning").update(body="En ny mening."))
    client.force_login(board)
    client.get(url("plan_changes", plan))  # the first request after a login refreshes the session
    _, small = changes_between("v1", "v2")

    def many():
        for number in range(15):
            ChapterFactory(plan=plan, heading=f"Nytt kapitel {number}", body="Text.", position=20 + number)
            GoalFactory(plan=plan, title=f"Nytt mål {number}")

    resubmit(many)
    response, large = changes_between("v2", "v3")

    assert "Nytt kapitel 14" in response.text and "Nytt mål 14" in response.text
    assert large == small


def test_the_decision_comes_first_in_the_review_panel(client):
    """The stance buttons stand above the checks and the stances, in view without scrolling the panel."""
    world = build_world("in_review")
    client.force_login(world.user(Role.BOARD))
    page = client.get(url("plan_review", world.plan)).text
    panel = page[page.index('class="review-panel"') : page.index('class="review-document"')]
    assert panel.index('value="approve"') < panel.index("Kontroller av planen")


# --- a comment started from the budget row itself -------------------------------------------------------


def budget_row_cell(page: str, label: str) -> str:
    """The label cell of the budget table's row `label` on the review page."""
    start = page.index(f'<th scope="row">{label}')
    return page[start : page.index("</th>", start)]


def test_each_budget_row_has_its_own_kommentera_and_shows_its_threads(client):
    from budgets.models import BudgetLine

    world = build_world("in_review")
    plan = world.plan
    line = BudgetLine.objects.get(name="Förbundschef")
    review.comment_add(
        plan=plan,
        by=world.user(Role.CHAIR),
        target_kind="budget_line",
        target_key=f"line-{line.pk}",
        body="?",
    )
    client.force_login(world.user(Role.BOARD))
    page = client.get(url("plan_review", plan)).text
    cell = budget_row_cell(page, "Förbundschef")
    start = url("plan_review", plan) + f"?kommentera=budget_line%3Aline-{line.pk}"
    assert f'hx-get="{start}"' in cell and f'href="{start}#kommentar-budget-text"' in cell
    assert 'hx-target="#kommentarer-budget"' in cell
    assert "1 kommentar" in cell  # and a link to the row's thread
    # Every printed row that can be commented on has one; no marker is left in the page.
    rows = review.budget_targets(plan.snapshots.get().content)
    assert len(rows) >= 2 and page.count('class="row-comment__start"') == len(rows)
    assert "<!--row:" not in page
    # The plan page shows the same document without them.
    assert "row-comment" not in client.get(plan.get_absolute_url()).text


def test_kommentera_on_a_row_opens_the_form_for_that_row_with_and_without_htmx(client):
    from budgets.models import BudgetLine

    world = build_world("in_review")
    plan = world.plan
    line = BudgetLine.objects.get(name="Förbundschef")
    client.force_login(world.user(Role.BOARD))
    address = url("plan_review", plan) + f"?kommentera=budget_line:line-{line.pk}"
    block = client.get(address, headers={"HX-Request": "true"})
    assert block.status_code == 200 and block["Vary"] and "HX-Request" in block["Vary"]
    text = block.text.lstrip()
    assert text.startswith('<aside class="review-threads review-threads--budget" id="kommentarer-budget"')
    assert 'id="kommentera-budgetrad" open' in text and "autofocus" in text
    assert f'value="budget_line:line-{line.pk}" selected' in text
    page = client.get(address).text  # without JavaScript: the page, the form open for that row
    assert 'id="kommentera-budgetrad" open' in page and f'value="budget_line:line-{line.pk}" selected' in page
    # A row not in the plan opens nothing and is no error.
    other = client.get(url("plan_review", plan) + "?kommentera=budget_line:line-999999")
    assert other.status_code == 200 and 'id="kommentera-budgetrad" open' not in other.text


def test_a_failed_budget_row_comment_keeps_the_form_open_on_its_row(client):
    from budgets.models import BudgetLine

    world = build_world("in_review")
    plan = world.plan
    line = BudgetLine.objects.get(name="Förbundschef")
    client.force_login(world.user(Role.BOARD))
    response = client.post(
        url("comment_create", plan), {"target": f"budget_line:line-{line.pk}", "body": " "}
    )
    assert response.status_code == 422
    assert 'id="kommentera-budgetrad" open' in response.text
    assert f'value="budget_line:line-{line.pk}" selected' in response.text


def test_what_changed_shows_formatted_text_and_a_new_indicator(client):
    from plans.models import Goal, Indicator

    world = build_world("in_review")
    plan, chief, board = world.plan, world.user(Role.CHIEF), world.user(Role.BOARD)
    review.plan_stance_record(plan=plan, by=board, stance=Stance.Kind.CHANGES_REQUESTED, comment="Mer.")
    Chapter.objects.filter(plan=plan, heading="Inledning").update(
        body="Förbundet arbetar för **samverkan**.\n\n- mellan alla parterna"
    )
    goal = Goal.objects.create(plan=plan, title="Fler i arbete", position=50)
    review.plan_submit(plan=plan, by=chief)  # version 2 has the goal
    Indicator.objects.create(goal=goal, text="Andel i arbete efter sex månader", target="50 %", position=1)

    client.force_login(board)
    text = client.get(url("plan_changes", plan), {"since": "v1", "until": "v2"}).text
    assert "<strong>samverkan</strong>" in text and "**" not in text
    diff = text[text.index('id="diff"') :]
    assert re.search(r"<ul>\s*<li>mellan <ins>", diff), diff  # the text now a list, formatted and marked
    assert 'class="word-diff word-diff--formatted prose"' in text
    assert goal.title in text  # a new goal is listed as added

    # A new indicator on an existing goal shows (the plan as it is now against version 2).
    plan.refresh_from_db()
    review.plan_withdraw(plan=plan, by=chief, reason="Ett mått till.")
    text = client.get(url("plan_changes", plan), {"since": "v2", "until": "nu"}).text
    assert "Indikatorer" in text and "Andel i arbete efter sex månader" in text
    assert re.search(r"<li><ins>.*Andel i arbete", text)
