"""The chief's plan editor (plans/views/editor.py): every endpoint as a full page and as an HTMX partial, who may
use it, conflicts (409), validation (422), the history it records and its number of queries."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.models import BudgetAmount, BudgetGroup
from finsam.models import BoardSeat, Membership
from finsam.site.demo.loader import load_association
from finsam.site.demo.reading import demo_files, read_demo_file
from plans.models import (
    ActivityItem,
    Chapter,
    CommunicationItem,
    ControlItem,
    Goal,
    Plan,
    PlanEvent,
    TargetGroup,
)
from tests.factories import (
    AssociationFactory,
    BoardSeatFactory,
    BudgetAmountFactory,
    BudgetColumnFactory,
    BudgetLineFactory,
    ChapterFactory,
    GoalFactory,
    GrantFactory,
    IndicatorFactory,
    MembershipFactory,
    OrganisationFactory,
    PlanFactory,
    PlanInterventionFactory,
    UserFactory,
)

HTMX = {"HTTP_HX_REQUEST": "true"}
CONFLICT = "Någon annan har ändrat detta medan du skrev"


# --- Fixtures -------------------------------------------------------------------------------------------


@pytest.fixture
def association(db):
    return AssociationFactory(slug="norr")


@pytest.fixture
def other_association(db):
    return AssociationFactory(slug="soder")


def member(association, role, username):
    return MembershipFactory(user=UserFactory(username=username), association=association, role=role).user


@pytest.fixture
def chief(association):
    return member(association, Membership.Role.CHIEF, "chef")


@pytest.fixture
def users(association, other_association, chief):
    return {
        "chief": chief,
        "chair": member(association, Membership.Role.CHAIR, "ordforande"),
        "board": member(association, Membership.Role.BOARD, "ledamot"),
        "reader": member(association, Membership.Role.READER, "lasare"),
        "outsider": member(other_association, Membership.Role.CHIEF, "annan-chef"),
    }


def fill_plan(plan, *, size=1):
    """A plan with `size` items of every kind (and the standard three chapters)."""
    ChapterFactory(plan=plan, heading="Inledning", body="Hej **alla**", position=0)
    ChapterFactory(plan=plan, heading="Mål", kind=Chapter.Kind.GOALS, body="", position=1)
    ChapterFactory(plan=plan, heading="Budget", kind=Chapter.Kind.BUDGET, body="", position=2)
    for n in range(size):
        if n:
            ChapterFactory(plan=plan, heading=f"Kapitel {n}", level=1 + n % 2, position=10 + n)
        goal = GoalFactory(plan=plan, title=f"Mål {n}", position=n)
        IndicatorFactory(goal=goal, text=f"Indikator {n}", position=0)
        IndicatorFactory(goal=goal, text=f"Indikator {n}b", position=1)
        TargetGroup.objects.create(plan=plan, name=f"Målgrupp {n}", position=n)
        ControlItem.objects.create(plan=plan, routine=f"Rutin {n}", position=n)
        CommunicationItem.objects.create(plan=plan, audience=f"Publik {n}", position=n)
        ActivityItem.objects.create(plan=plan, activity=f"Aktivitet {n}", goal=goal, position=n)
        org = OrganisationFactory(association=plan.association, name=f"Kommun {plan.pk}-{n}")
        BoardSeatFactory(
            association=plan.association, person_name=f"Ledamot {n}", appointed_by=org, position=n
        )
    return plan


def add_budget_and_intervention(plan):
    """One budget line with an amount and one intervention with a partner and a grant: every query of
    the budget and the checks then runs (a prefetch over nothing is skipped, which would flatter a
    small plan in a query count)."""
    column = BudgetColumnFactory(plan=plan, year=plan.first_year, kind="budget", contributions_total=1000000)
    line = BudgetLineFactory(group__plan=plan, name="Lokaler")
    BudgetAmountFactory(line=line, column=column, amount=100000)
    link = PlanInterventionFactory(plan=plan)
    link.intervention.partners.add(plan.association.organisations.first())
    GrantFactory(intervention=link.intervention, year=plan.first_year)
    return plan


@pytest.fixture
def plan(association):
    return fill_plan(PlanFactory(association=association, first_year=2027))


@pytest.fixture
def chief_client(client, chief):
    client.force_login(chief)
    return client


def url(plan, name, *args):
    return reverse(name, args=[plan.association.slug, plan.pk, *args])


def part_url(plan, name, kind, item):
    return url(plan, name, kind, item.pk)


def versioned(item, **data):
    return {"version": item.version, **data}


def chapter_data(chapter, **changes):
    data = {"heading": chapter.heading, "level": chapter.level, "kind": chapter.kind, "body": chapter.body}
    data.update(changes)
    return versioned(chapter, **data)


# --- Every endpoint, and who may use it -----------------------------------------------------------------


def endpoints(plan):
    """(method, url, data) for every editing endpoint of the editor, with data a chief could send."""
    chapter = plan.chapters.get(heading="Inledning")
    goal = plan.goals.first()
    indicator = goal.indicators.first()
    return [
        ("get", url(plan, "plan_edit"), None),
        ("get", url(plan, "plan_editor_checks"), None),
        ("post", url(plan, "plan_markdown_preview"), {"body": "*hej*"}),
        ("get", url(plan, "plan_settings"), None),
        ("get", url(plan, "plan_settings_edit"), None),
        ("post", url(plan, "plan_settings_edit"), {"version": plan.version, "title": "Ny titel", "first_year": plan.first_year, "years": 3, "unit": "tkr", "decimals": 0}),
        ("get", url(plan, "plan_part_list", "kapitel"), None),
        ("get", url(plan, "plan_part_add", "kapitel"), None),
        ("post", url(plan, "plan_part_add", "kapitel"), {"heading": "Nytt", "level": 1, "kind": "text", "body": ""}),
        ("get", part_url(plan, "plan_part_row", "kapitel", chapter), None),
        ("get", part_url(plan, "plan_part_edit", "kapitel", chapter), None),
        ("post", part_url(plan, "plan_part_edit", "kapitel", chapter), chapter_data(chapter, heading="Ändrad")),
        ("get", part_url(plan, "plan_part_delete", "kapitel", chapter), None),
        ("post", part_url(plan, "plan_part_delete", "kapitel", chapter), versioned(chapter)),
        ("post", part_url(plan, "plan_part_move", "kapitel", chapter), {"direction": "down"}),
        ("get", url(plan, "plan_indicator_list", goal.pk), None),
        ("get", url(plan, "plan_indicator_add", goal.pk), None),
        ("post", url(plan, "plan_indicator_add", goal.pk), {"text": "Ny indikator"}),
        ("post", part_url(plan, "plan_part_edit", "indikatorer", indicator), versioned(indicator, text="Ändrad")),
    ]  # fmt: skip


def call(client, method, address, data, **headers):
    return getattr(client, method)(address, data or {}, **headers)


def test_the_chief_can_use_every_endpoint_with_and_without_htmx(client, users, association):
    client.force_login(users["chief"])
    year = 2040
    for index in range(len(endpoints(fill_plan(PlanFactory(association=association, first_year=year))))):
        for headers in ({}, HTMX):
            year += 1  # a fresh plan for each request, so that a delete or a move never affects the next
            method, address, data = endpoints(
                fill_plan(PlanFactory(association=association, first_year=year))
            )[index]
            response = call(client, method, address, data, **headers)
            expected = {200} if headers else {200, 302}
            assert response.status_code in expected, (method, address, headers, response.status_code)


@pytest.mark.parametrize(("role", "status"), [("chair", 403), ("board", 403), ("reader", 404)])
def test_board_members_and_readers_are_refused_every_endpoint(client, users, plan, role, status):
    """The board sees drafts but may not change them (403); to a reader a draft does not exist (404)."""
    client.force_login(users[role])
    before = PlanEvent.objects.count()
    for method, address, data in endpoints(plan):
        assert call(client, method, address, data, **HTMX).status_code == status, address
    assert PlanEvent.objects.count() == before
    assert plan.chapters.get(heading="Inledning")


def test_the_chief_of_another_association_gets_404_everywhere(client, users, plan):
    client.force_login(users["outsider"])
    for method, address, data in endpoints(plan):
        assert call(client, method, address, data, **HTMX).status_code == 404, address


def test_anonymous_users_are_sent_to_log_in(client, plan):
    for method, address, data in endpoints(plan):
        response = call(client, method, address, data)
        assert response.status_code == 302, address
        assert response["Location"].startswith(reverse("login")), address


@pytest.mark.parametrize("state", [Plan.State.ADOPTED, Plan.State.IN_REVIEW, Plan.State.APPROVED])
def test_a_plan_that_is_not_editable_refuses_every_endpoint(client, users, plan, state):
    Plan.objects.filter(pk=plan.pk).update(state=state, adopted_on="2026-11-30")
    client.force_login(users["chief"])
    before = PlanEvent.objects.count()
    for method, address, data in endpoints(plan):
        response = call(client, method, address, data, **HTMX)
        assert response.status_code == 403, address
    assert PlanEvent.objects.count() == before
    assert plan.chapters.filter(heading="Inledning").exists()


def test_a_superuser_may_edit(client, plan):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert client.get(url(plan, "plan_edit")).status_code == 200


# --- Items are found through the plan ------------------------------------------------------------------


def test_an_item_of_another_plan_is_404_even_in_the_same_association(chief_client, plan):
    other = fill_plan(PlanFactory(association=plan.association, first_year=2030))
    foreign = other.chapters.get(heading="Inledning")
    for name in ("plan_part_row", "plan_part_edit", "plan_part_delete"):
        assert chief_client.get(part_url(plan, name, "kapitel", foreign), **HTMX).status_code == 404
    response = chief_client.post(
        part_url(plan, "plan_part_edit", "kapitel", foreign), chapter_data(foreign, heading="X"), **HTMX
    )
    assert response.status_code == 404
    assert (
        chief_client.post(
            part_url(plan, "plan_part_move", "kapitel", foreign), {"direction": "up"}
        ).status_code
        == 404
    )
    foreign.refresh_from_db()
    assert foreign.heading == "Inledning"
    other_goal = other.goals.first()
    assert chief_client.get(url(plan, "plan_indicator_add", other_goal.pk), **HTMX).status_code == 404
    assert (
        chief_client.post(url(plan, "plan_indicator_add", other_goal.pk), {"text": "x"}, **HTMX).status_code
        == 404
    )


def test_a_board_seat_of_another_association_is_404(chief_client, plan, other_association):
    seat = BoardSeatFactory(association=other_association)
    assert chief_client.get(part_url(plan, "plan_part_edit", "styrelse", seat), **HTMX).status_code == 404


def test_an_activity_cannot_point_at_a_goal_of_another_plan(chief_client, plan):
    other_goal = GoalFactory(plan=PlanFactory(association=plan.association, first_year=2031))
    response = chief_client.post(
        url(plan, "plan_part_add", "aktiviteter"), {"activity": "Smyga", "goal": other_goal.pk}, **HTMX
    )
    assert response.status_code == 422
    assert "Välj ett av planens mål." in response.content.decode()
    assert not ActivityItem.objects.filter(activity="Smyga").exists()


def test_a_board_seat_cannot_be_appointed_by_another_associations_organisation(
    chief_client, plan, other_association
):
    foreign = OrganisationFactory(association=other_association)
    seat = plan.association.board_seats.first()
    data = versioned(seat, person_name="Ny", role="member", appointed_by=foreign.pk)
    response = chief_client.post(part_url(plan, "plan_part_edit", "styrelse", seat), data, **HTMX)
    assert response.status_code == 422
    assert "Välj en av förbundets medlemmar." in response.content.decode()
    seat.refresh_from_db()
    assert seat.person_name != "Ny"


def test_a_board_seat_cannot_be_appointed_by_a_partner_that_is_not_a_member(chief_client, plan):
    partner = OrganisationFactory(association=plan.association, name="Polisen", kind="other", is_member=False)
    response = chief_client.post(
        url(plan, "plan_part_add", "styrelse"),
        {"person_name": "P", "role": "member", "appointed_by": partner.pk},
        **HTMX,
    )
    assert response.status_code == 422
    assert not BoardSeat.objects.filter(person_name="P").exists()


# --- Editing: success, validation, conflict --------------------------------------------------------------


def test_editing_a_chapter_with_htmx_answers_its_row_announces_and_triggers_the_checks(chief_client, plan):
    chapter = plan.chapters.get(heading="Inledning")
    response = chief_client.post(
        part_url(plan, "plan_part_edit", "kapitel", chapter), chapter_data(chapter, heading="Förord"), **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<li id="kapitel-{chapter.pk}"' in html
    assert "Förord" in html
    assert 'hx-swap-oob="innerHTML:#messages"' in html and "Sparat: kapitel ”Förord”." in html
    assert f'id="kapitel-{chapter.pk}-andra"' in html and "autofocus" in html
    assert json.loads(response["HX-Trigger"]) == {"plan-changed": {}}
    chapter.refresh_from_db()
    assert (chapter.heading, chapter.version) == ("Förord", 2)
    event = plan.events.get(action=PlanEvent.Action.EDITED)
    assert event.user.username == "chef"
    assert event.details == {"kind": "chapter", "id": chapter.pk, "fields": ["heading"]}


def test_editing_without_javascript_redirects_back_to_the_editor_with_a_message(chief_client, plan):
    chapter = plan.chapters.get(heading="Inledning")
    response = chief_client.post(
        part_url(plan, "plan_part_edit", "kapitel", chapter),
        chapter_data(chapter, heading="Förord"),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url(plan, "plan_edit") + f"#kapitel-{chapter.pk}"
    assert "Sparat: kapitel ”Förord”." in response.content.decode()


def test_the_edit_form_opens_in_place_or_as_the_whole_page(chief_client, plan):
    chapter = plan.chapters.get(heading="Inledning")
    partial = chief_client.get(part_url(plan, "plan_part_edit", "kapitel", chapter), **HTMX).content.decode()
    assert partial.lstrip().startswith(f'<li id="kapitel-{chapter.pk}"')
    assert 'name="version" value="1"' in partial
    assert "<html" not in partial
    page = chief_client.get(part_url(plan, "plan_part_edit", "kapitel", chapter)).content.decode()
    assert "<html" in page and f'hx-post="{part_url(plan, "plan_part_edit", "kapitel", chapter)}"' in page


def test_invalid_input_is_422_with_the_message_next_to_the_field_and_nothing_saved(chief_client, plan):
    chapter = plan.chapters.get(heading="Inledning")
    before = PlanEvent.objects.count()
    response = chief_client.post(
        part_url(plan, "plan_part_edit", "kapitel", chapter),
        chapter_data(chapter, heading="", body="Min **text** finns kvar"),
        **HTMX,
    )
    assert response.status_code == 422
    html = response.content.decode()
    field_id = f"kapitel-{chapter.pk}-heading"
    assert f'id="{field_id}_error"' in html and "Detta fält måste fyllas i." in html
    assert f'aria-describedby="{field_id}_error"' in html and 'aria-invalid="true"' in html
    assert "Min **text** finns kvar" in html
    assert "Det gick inte att spara" in html  # announced in the live region
    chapter.refresh_from_db()
    assert (chapter.heading, chapter.version) == ("Inledning", 1)
    assert PlanEvent.objects.count() == before


def test_invalid_input_without_javascript_renders_the_whole_editor_with_422(chief_client, plan):
    chapter = plan.chapters.get(heading="Inledning")
    response = chief_client.post(
        part_url(plan, "plan_part_edit", "kapitel", chapter), chapter_data(chapter, heading="")
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "<html" in html and "Detta fält måste fyllas i." in html


def test_a_second_structured_chapter_of_the_same_kind_is_refused(chief_client, plan):
    response = chief_client.post(
        url(plan, "plan_part_add", "kapitel"), {"heading": "Mål igen", "level": 1, "kind": "goals"}, **HTMX
    )
    assert response.status_code == 422
    assert "Planen har redan ett kapitel som visar ”Mål och indikatorer”." in response.content.decode()
    assert plan.chapters.filter(kind="goals").count() == 1


def test_a_stale_save_is_409_showing_the_other_persons_value_and_saves_nothing(chief_client, plan):
    chapter = plan.chapters.get(heading="Inledning")
    stale = chapter_data(chapter, heading="Min rubrik", body="Min text")
    # Someone else saves first.
    Chapter.objects.filter(pk=chapter.pk).update(heading="Deras rubrik", version=2)
    response = chief_client.post(part_url(plan, "plan_part_edit", "kapitel", chapter), stale, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert CONFLICT in html
    assert "Deras rubrik" in html  # their value
    assert 'value="Min rubrik"' in html and "Min text" in html  # mine, kept
    assert 'name="version" value="2"' in html  # "keep mine" resubmits on top of theirs
    assert "Behåll min version" in html and "Ta den andras version" in html
    chapter.refresh_from_db()
    assert chapter.heading == "Deras rubrik"
    assert not plan.events.filter(action=PlanEvent.Action.EDITED).exists()

    keep_mine = chief_client.post(
        part_url(plan, "plan_part_edit", "kapitel", chapter), {**stale, "version": 2}, **HTMX
    )
    assert keep_mine.status_code == 200
    chapter.refresh_from_db()
    assert (chapter.heading, chapter.version) == ("Min rubrik", 3)

    take_theirs = chief_client.get(part_url(plan, "plan_part_row", "kapitel", chapter), **HTMX)
    assert "Min rubrik" in take_theirs.content.decode()


def test_a_stale_save_without_javascript_is_the_whole_page_with_409(chief_client, plan):
    goal = plan.goals.first()
    data = versioned(goal, category=goal.category_id or "", title="Mitt mål")
    Goal.objects.filter(pk=goal.pk).update(title="Deras mål", version=5)
    response = chief_client.post(part_url(plan, "plan_part_edit", "mal", goal), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "<html" in html and CONFLICT in html and "Deras mål" in html


def test_saving_an_item_someone_deleted_is_a_conflict_that_keeps_the_text(chief_client, plan):
    group = plan.target_groups.first()
    data = versioned(group, name="Min målgrupp", description="")
    chief_client.post(part_url(plan, "plan_part_delete", "malgrupper", group), versioned(group), **HTMX)
    response = chief_client.post(part_url(plan, "plan_part_edit", "malgrupper", group), data, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Någon annan har tagit bort detta medan du skrev." in html
    assert 'value="Min målgrupp"' in html and "Lägg till som ny" in html


def test_settings_are_edited_with_the_same_lock(chief_client, plan):
    data = {
        "version": 1,
        "title": "Plan 2027–2029",
        "first_year": 2027,
        "years": 3,
        "unit": "kr",
        "decimals": 1,
        "costs_negative": "on",
        "deficit_explanation": "Vi använder överskott.",
    }
    response = chief_client.post(url(plan, "plan_settings_edit"), data, **HTMX)
    assert response.status_code == 200
    assert "Plan 2027–2029" in response.content.decode()
    plan.refresh_from_db()
    assert (plan.title, plan.unit, plan.decimals, plan.costs_negative, plan.version) == (
        "Plan 2027–2029",
        "kr",
        0,
        True,
        2,
    )
    stale = chief_client.post(url(plan, "plan_settings_edit"), {**data, "title": "Gammal"}, **HTMX)
    assert stale.status_code == 409
    assert CONFLICT in stale.content.decode() and "Plan 2027–2029" in stale.content.decode()


def test_more_years_add_budget_columns_and_fewer_remove_only_empty_ones(chief_client, plan):
    data = {"version": 1, "title": plan.title, "first_year": 2027, "years": 4, "unit": "tkr", "decimals": 0}
    assert chief_client.post(url(plan, "plan_settings_edit"), data, **HTMX).status_code == 200
    assert list(plan.budget_columns.values_list("year", "kind")) == [
        (2027, "budget"), (2028, "plan"), (2029, "plan"), (2030, "plan"),
    ]  # fmt: skip
    line = BudgetLineFactory(group__plan=plan)
    BudgetAmountFactory(line=line, column=plan.budget_columns.get(year=2030), amount=5000)
    response = chief_client.post(url(plan, "plan_settings_edit"), {**data, "version": 2, "years": 2}, **HTMX)
    assert response.status_code == 422
    assert "Budgeten har belopp för 2030." in response.content.decode()
    plan.refresh_from_db()
    assert (plan.years, plan.budget_columns.count()) == (4, 4)


def test_moving_the_first_year_moves_the_budget_and_plan_columns(chief_client, plan):
    for year, kind in ((2026, "outcome"), (2027, "budget"), (2028, "plan"), (2029, "plan")):
        BudgetColumnFactory(plan=plan, year=year, kind=kind)
    data = {"version": 1, "title": plan.title, "first_year": 2028, "years": 3, "unit": "tkr", "decimals": 0}
    assert chief_client.post(url(plan, "plan_settings_edit"), data, **HTMX).status_code == 200
    # Last year's outcome stays; the empty 2027 budget column goes; 2028 becomes the budget year.
    assert list(plan.budget_columns.values_list("year", "kind")) == [
        (2026, "outcome"), (2028, "budget"), (2029, "plan"), (2030, "plan"),
    ]  # fmt: skip


def test_renaming_a_goal_updates_the_activities_that_serve_it(chief_client, plan):
    goal = plan.goals.first()
    response = chief_client.post(
        part_url(plan, "plan_part_edit", "mal", goal),
        versioned(goal, category="", title="Fler i studier"),
        **HTMX,
    )
    html = response.content.decode()
    activities = html[html.index('id="aktivitet-lista"') :]
    assert 'hx-swap-oob="true"' in activities[:80] and "Fler i studier" in activities


def test_the_first_year_must_not_clash_with_another_plan(chief_client, plan):
    PlanFactory(association=plan.association, first_year=2028)
    data = {"version": 1, "title": plan.title, "first_year": 2028, "years": 3, "unit": "tkr", "decimals": 0}
    response = chief_client.post(url(plan, "plan_settings_edit"), data, **HTMX)
    assert response.status_code == 422
    assert "Förbundet har redan en plan som börjar 2028." in response.content.decode()


# --- Every kind can be added, edited and deleted ------------------------------------------------------------

KINDS = [
    ("kapitel", Chapter, {"heading": "Nytt kapitel", "level": 2, "kind": "text", "body": "Text"}),
    ("mal", Goal, {"category": "", "title": "Nytt mål", "description": ""}),
    ("malgrupper", TargetGroup, {"name": "Nyanlända", "description": ""}),
    ("internkontroll", ControlItem, {"routine": "Löner", "frequency": "årligen"}),
    ("kommunikation", CommunicationItem, {"audience": "Allmänheten", "channel": "Webb"}),
    (
        "aktiviteter",
        ActivityItem,
        {"activity": "Workshop", "starts_on": "2027-02-01", "done_by": "2027-03-01"},
    ),
    ("styrelse", BoardSeat, {"person_name": "Ny Ledamot", "role": "substitute"}),
]


def item_data(plan, model, data):
    if model is BoardSeat:
        return {**data, "appointed_by": plan.association.organisations.first().pk}
    return data


@pytest.mark.parametrize(("slug", "model", "data"), KINDS)
def test_every_kind_can_be_added_edited_and_deleted(chief_client, plan, slug, model, data):
    data = item_data(plan, model, data)
    added = chief_client.post(url(plan, "plan_part_add", slug), data, **HTMX)
    assert added.status_code == 200, added.content.decode()[:2000]
    item = model.objects.order_by("-pk").first()
    assert str(item) in added.content.decode()
    assert added["HX-Retarget"].startswith("#") and added["HX-Reswap"] == "outerHTML"
    assert f'id="{added["HX-Retarget"][1:]}"' in added.content.decode()
    assert (
        item.position
        == max(s.position for s in type(item).objects.exclude(pk=item.pk).filter(**sibling(item))) + 1
    )
    assert plan.events.filter(action=PlanEvent.Action.ADDED, details__id=item.pk).exists()

    first_field = next(iter(data))
    edited = chief_client.post(
        part_url(plan, "plan_part_edit", slug, item), {**data, first_field: "Ändrad", "version": 1}, **HTMX
    )
    if model is Goal:
        assert edited.status_code == 422  # "level" is a choice; nothing else to check here
    else:
        assert edited.status_code == 200, edited.content.decode()[:2000]
        item.refresh_from_db()
        assert getattr(item, first_field) == "Ändrad" and item.version == 2

    confirm = chief_client.get(part_url(plan, "plan_part_delete", slug, item), **HTMX)
    assert confirm.status_code == 200 and "Ta bort" in confirm.content.decode()
    deleted = chief_client.post(
        part_url(plan, "plan_part_delete", slug, item), {"version": item.version}, **HTMX
    )
    assert deleted.status_code == 200
    assert not model.objects.filter(pk=item.pk).exists()
    assert plan.events.filter(action=PlanEvent.Action.DELETED, details__id=item.pk).exists()


def sibling(item):
    if isinstance(item, BoardSeat):
        return {"association": item.association}
    return {"plan": item.plan}


def test_an_indicator_is_added_to_its_goal(chief_client, plan):
    goal = plan.goals.first()
    response = chief_client.post(
        url(plan, "plan_indicator_add", goal.pk), {"text": "Andel i studier", "target": "minst 50 %"}, **HTMX
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#mal-{goal.pk}-indikatorer"
    indicator = goal.indicators.get(text="Andel i studier")
    assert indicator.position == 2 and indicator.target == "minst 50 %"


def test_deleting_asks_first_and_a_stale_delete_is_a_conflict(chief_client, plan):
    item = plan.control_items.first()
    page = chief_client.get(part_url(plan, "plan_part_delete", "internkontroll", item))
    assert page.status_code == 200 and "Vill du ta bort ”Rutin 0”?" in page.content.decode()
    ControlItem.objects.filter(pk=item.pk).update(routine="Ändrad av någon", version=2)
    response = chief_client.post(
        part_url(plan, "plan_part_delete", "internkontroll", item), {"version": 1}, **HTMX
    )
    assert response.status_code == 409
    assert CONFLICT in response.content.decode() and "Ändrad av någon" in response.content.decode()
    assert ControlItem.objects.filter(pk=item.pk).exists()


def test_deleting_what_someone_else_already_deleted_just_shows_the_list(chief_client, plan):
    item = plan.communication_items.first()
    chief_client.post(part_url(plan, "plan_part_delete", "kommunikation", item), {"version": 1}, **HTMX)
    again = chief_client.post(
        part_url(plan, "plan_part_delete", "kommunikation", item), {"version": 1}, **HTMX
    )
    assert again.status_code == 200
    assert again["HX-Retarget"] == "#kommunikation-lista"
    assert "Någon annan hade redan tagit bort det." in again.content.decode()
    assert plan.events.filter(action=PlanEvent.Action.DELETED).count() == 1


def test_after_a_delete_the_focus_goes_to_the_next_item(chief_client, plan):
    first = plan.target_groups.first()
    second = TargetGroup.objects.create(plan=plan, name="Andra", position=5)
    response = chief_client.post(
        part_url(plan, "plan_part_delete", "malgrupper", first), {"version": 1}, **HTMX
    )
    html = response.content.decode()
    assert f'id="malgrupp-{second.pk}-andra"' in html
    assert (
        html.count("autofocus") == 1
        and f'id="malgrupp-{second.pk}-andra" class="button button--small" href' in html
    )
    assert "Tog bort prioriterad målgrupp ”Målgrupp 0”." in html


# --- Moving --------------------------------------------------------------------------------------------------


def headings(plan):
    return list(plan.chapters.values_list("heading", flat=True))


def test_chapters_move_up_and_down_with_plain_post_and_htmx(chief_client, plan):
    budget = plan.chapters.get(heading="Budget")
    response = chief_client.post(
        part_url(plan, "plan_part_move", "kapitel", budget), {"direction": "up"}, **HTMX
    )
    assert response.status_code == 200
    assert headings(plan) == ["Inledning", "Budget", "Mål"]
    html = response.content.decode()
    assert response["HX-Retarget"] == "#kapitel-lista"
    assert "Flyttade kapitel ”Budget” till plats 2 av 3." in html
    assert "autofocus" not in html  # htmx keeps the focus on the pressed button (same id)
    assert json.loads(response["HX-Trigger"]) == {"plan-changed": {}}

    plain = chief_client.post(part_url(plan, "plan_part_move", "kapitel", budget), {"direction": "up"})
    assert plain.status_code == 302 and plain["Location"].endswith(f"#kapitel-{budget.pk}")
    assert headings(plan) == ["Budget", "Inledning", "Mål"]
    assert plan.events.filter(action=PlanEvent.Action.MOVED).count() == 2


def test_moving_the_first_item_up_changes_nothing_and_says_so(chief_client, plan):
    first = plan.chapters.get(heading="Inledning")
    response = chief_client.post(
        part_url(plan, "plan_part_move", "kapitel", first), {"direction": "up"}, **HTMX
    )
    assert "Kapitel ”Inledning” är redan först." in response.content.decode()
    assert "HX-Trigger" not in response
    assert headings(plan) == ["Inledning", "Mål", "Budget"]
    assert not plan.events.filter(action=PlanEvent.Action.MOVED).exists()


def test_drag_and_drop_moves_a_chapter_to_a_place(chief_client, plan):
    budget = plan.chapters.get(heading="Budget")
    move = part_url(plan, "plan_part_move", "kapitel", budget)
    response = chief_client.post(move, {"to": "0"}, **HTMX)
    assert "Flyttade kapitel ”Budget” till plats 1 av 3." in response.content.decode()
    assert headings(plan) == ["Budget", "Inledning", "Mål"]
    chief_client.post(move, {"to": "99"}, **HTMX)  # past the end: last
    assert headings(plan) == ["Inledning", "Mål", "Budget"]
    assert chief_client.post(move, {"to": "-1"}, **HTMX).status_code == 400


def test_a_move_needs_a_direction(chief_client, plan):
    chapter = plan.chapters.first()
    assert (
        chief_client.post(
            part_url(plan, "plan_part_move", "kapitel", chapter), {"direction": "sideways"}
        ).status_code
        == 400
    )


def test_indicators_move_within_their_goal(chief_client, plan):
    goal = plan.goals.first()
    second = goal.indicators.get(text="Indikator 0b")
    response = chief_client.post(
        part_url(plan, "plan_part_move", "indikatorer", second), {"direction": "up"}, **HTMX
    )
    assert response["HX-Retarget"] == f"#mal-{goal.pk}-indikatorer"
    assert list(goal.indicators.values_list("text", flat=True)) == ["Indikator 0b", "Indikator 0"]


# --- Markdown preview ---------------------------------------------------------------------------------------


def test_the_preview_renders_markdown_and_never_raw_html(chief_client, plan):
    response = chief_client.post(
        url(plan, "plan_markdown_preview"),
        {"preview": "body", "body": "**Fet** <script>alert(1)</script> <img src=x onerror=alert(1)>"},
        **HTMX,
    )
    html = response.content.decode()
    assert "<strong>Fet</strong>" in html
    assert "<script" not in html and "<img" not in html and "onerror" not in html.replace("onerror=alert", "")


def test_the_preview_works_without_javascript_through_the_forms_own_button(chief_client, plan):
    chapter = plan.chapters.get(heading="Inledning")
    response = chief_client.post(
        part_url(plan, "plan_part_edit", "kapitel", chapter),
        chapter_data(chapter, body="*kursiv*", preview="body"),
    )
    assert response.status_code == 200
    assert "<em>kursiv</em>" in response.content.decode()
    chapter.refresh_from_db()
    assert chapter.body == "Hej **alla**"  # a preview saves nothing


# --- The checks panel -----------------------------------------------------------------------------------------


def test_the_checks_panel_links_each_finding_to_where_it_is_fixed(chief_client, plan):
    column = BudgetColumnFactory(plan=plan, year=2027, kind="budget", contributions_total=100000)
    group = BudgetGroup.objects.create(
        plan=plan, section="costs", kind="administration", name="Administration"
    )
    BudgetAmount.objects.create(
        line=BudgetLineFactory(group=group, name="Lokaler"), column=column, amount=500000
    )
    response = chief_client.get(url(plan, "plan_editor_checks"), **HTMX)
    html = response.content.decode()
    assert 'hx-trigger="plan-changed from:body"' in html
    assert "inte i balans" in html
    assert f'href="/f/norr/planer/{plan.pk}/budget/#kolumn-{column.pk}"' in html
    assert f'href="{url(plan, "plan_edit")}#installningar"' in html  # "Skriv motivering"


# --- Creating a plan ----------------------------------------------------------------------------------------------


def test_the_chief_creates_an_empty_plan_with_the_standard_parts(client, users, association):
    client.force_login(users["chief"])
    address = reverse("plan_new", args=[association.slug])
    assert client.get(address).status_code == 200
    data = {
        "action": "empty",
        "title": "VP 2027",
        "first_year": 2027,
        "years": 3,
        "unit": "tkr",
        "decimals": 1,
    }
    response = client.post(address, data)
    plan = association.plans.get()
    assert response.status_code == 302 and response["Location"] == url(plan, "plan_edit")
    assert (plan.title, plan.state, plan.decimals, plan.costs_negative) == ("VP 2027", "draft", 1, False)
    assert list(plan.budget_columns.values_list("year", "kind")) == [
        (2027, "budget"),
        (2028, "plan"),
        (2029, "plan"),
    ]
    assert list(plan.budget_groups.order_by("section", "position").values_list("kind", "name")) == [
        ("administration", "Administration"),
        ("interventions_decided", "Beslutade insatser"),
        ("interventions_undecided", "Ej beslutade medel"),
        ("contributions", "Medlemsavgifter"),
    ]
    assert list(plan.chapters.values_list("kind", "heading")) == [
        ("text", "Inledning"), ("goals", "Mål"), ("target_groups", "Prioriterade målgrupper"),
        ("interventions", "Insatser"), ("budget", "Budget"),
    ]  # fmt: skip
    assert plan.events.get().action == PlanEvent.Action.CREATED


def test_a_new_plan_needs_valid_years(client, users, association):
    client.force_login(users["chief"])
    address = reverse("plan_new", args=[association.slug])
    response = client.post(
        address,
        {"action": "empty", "title": "", "first_year": 2027, "years": 7, "unit": "tkr", "decimals": 0},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert (
        "Detta fält måste fyllas i." in html
        and "Kontrollera att detta värde är mindre än eller lika med 6." in html
    )
    assert not association.plans.exists()


@pytest.mark.parametrize("role", ["chair", "board", "reader"])
def test_only_the_chief_creates_plans(client, users, association, role):
    client.force_login(users[role])
    address = reverse("plan_new", args=[association.slug])
    assert client.get(address).status_code == 403
    assert (
        client.post(
            address,
            {"action": "empty", "title": "x", "first_year": 2027, "years": 3, "unit": "tkr", "decimals": 0},
        ).status_code
        == 403
    )
    assert not association.plans.exists()


def test_the_outsider_cannot_even_see_the_new_plan_page(client, users, association):
    client.force_login(users["outsider"])
    assert client.get(reverse("plan_new", args=[association.slug])).status_code == 404


def test_next_years_plan_is_created_from_an_adopted_plan(client, users, plan):
    Plan.objects.filter(pk=plan.pk).update(state=Plan.State.ADOPTED, adopted_on="2026-11-30")
    BudgetColumnFactory(plan=plan, year=2027, kind="budget")
    client.force_login(users["chief"])
    response = client.post(
        reverse("plan_new", args=["norr"]), {"action": "rollover", "source": plan.pk, "keep_forecast": "on"}
    )
    new = Plan.objects.get(first_year=2028)
    assert response.status_code == 302 and response["Location"] == url(new, "plan_edit")
    assert new.rolled_over_from == plan and new.state == Plan.State.DRAFT
    again = client.post(reverse("plan_new", args=["norr"]), {"action": "rollover", "source": plan.pk})
    assert again.status_code == 422
    assert "Förbundet har redan en plan för 2028." in again.content.decode()
    assert f'href="{new.get_absolute_url()}"' in again.content.decode()  # the refusal leads to that plan


def test_only_adopted_plans_of_the_association_can_be_rolled_over(client, users, plan, other_association):
    foreign = PlanFactory(association=other_association, state=Plan.State.ADOPTED, adopted_on="2026-11-30")
    client.force_login(users["chief"])
    for source in (plan, foreign):
        response = client.post(
            reverse("plan_new", args=["norr"]), {"action": "rollover", "source": source.pk}
        )
        assert response.status_code == 422
        assert "Välj en fastställd plan i listan." in response.content.decode()


# --- Links to the editor -----------------------------------------------------------------------------------------


def test_the_plan_page_links_to_the_editor_for_the_chief_only(client, users, plan):
    address = reverse("plan_detail", args=["norr", plan.pk])
    edit = url(plan, "plan_edit")
    client.force_login(users["chief"])
    assert f'href="{edit}"' in client.get(address).content.decode()
    client.force_login(users["board"])
    assert f'href="{edit}"' not in client.get(address).content.decode()
    Plan.objects.filter(pk=plan.pk).update(state=Plan.State.ADOPTED, adopted_on="2026-11-30")
    client.force_login(users["chief"])
    assert f'href="{edit}"' not in client.get(address).content.decode()


def test_the_association_page_offers_a_new_plan_to_the_chief_only(client, users, association):
    address = reverse("association", args=["norr"])
    new = reverse("plan_new", args=["norr"])
    client.force_login(users["chief"])
    assert f'href="{new}"' in client.get(address).content.decode()
    client.force_login(users["board"])
    assert f'href="{new}"' not in client.get(address).content.decode()


# --- Queries ------------------------------------------------------------------------------------------------------


def count_queries(client, method, address, data=None, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = call(client, method, address, data, **headers)
    assert response.status_code in (200, 302), (address, response.status_code)
    return len(queries)


def demo_plan(slug):
    (data,) = [read_demo_file(path) for path in demo_files() if read_demo_file(path)["slug"] == slug]
    load_association(data)
    plan = Plan.objects.get(association__slug=slug)
    Plan.objects.filter(pk=plan.pk).update(state=Plan.State.DRAFT, adopted_on=None)
    plan.refresh_from_db()
    return plan


@pytest.fixture
def largest_demo_plan(db):
    """Östra Värmland's plan has the most chapters, goals and control and communication items."""
    return demo_plan("ostra-varmland")


def test_the_editor_page_takes_as_many_queries_for_the_largest_demo_plan_as_for_a_small_plan(
    client, chief, plan, largest_demo_plan, django_assert_num_queries
):
    client.force_login(chief)
    add_budget_and_intervention(plan)
    small = count_queries(client, "get", url(plan, "plan_edit"))
    client.force_login(largest_demo_plan.association.memberships.get(role="chief").user)
    assert largest_demo_plan.chapters.count() > 3 * plan.chapters.count()
    with django_assert_num_queries(small):
        client.get(url(largest_demo_plan, "plan_edit"))


def test_each_htmx_edit_takes_a_constant_number_of_queries(client, chief, association):
    """The same requests against a plan with one item of each kind and one with twenty."""
    from plans.goal_categories import goal_categories

    goal_categories(association)  # the association's categories exist (made once, on first use)
    counts = []
    for size in (1, 20):
        plan = add_budget_and_intervention(
            fill_plan(PlanFactory(association=association, first_year=2027 + size), size=size)
        )
        client.force_login(chief)
        # The first request after a login refreshes the session (once a minute at most): not counted.
        client.get(url(plan, "plan_editor_checks"), **HTMX)
        chapter = plan.chapters.get(heading="Inledning")
        goal = plan.goals.first()
        group = plan.target_groups.first()
        counts.append(
            {
                "edit form": count_queries(client, "get", part_url(plan, "plan_part_edit", "kapitel", chapter), **HTMX),
                "save chapter": count_queries(client, "post", part_url(plan, "plan_part_edit", "kapitel", chapter), chapter_data(chapter, heading="X"), **HTMX),
                "save goal": count_queries(client, "post", part_url(plan, "plan_part_edit", "mal", goal), versioned(goal, category="", title="Y"), **HTMX),
                "add target group": count_queries(client, "post", url(plan, "plan_part_add", "malgrupper"), {"name": "Z"}, **HTMX),
                "move chapter": count_queries(client, "post", part_url(plan, "plan_part_move", "kapitel", chapter), {"direction": "down"}, **HTMX),
                "delete target group": count_queries(client, "post", part_url(plan, "plan_part_delete", "malgrupper", group), {"version": 1}, **HTMX),
                "checks": count_queries(client, "get", url(plan, "plan_editor_checks"), **HTMX),
                "settings": count_queries(client, "post", url(plan, "plan_settings_edit"), {"version": 1, "title": "T", "first_year": plan.first_year, "years": 3, "unit": "tkr", "decimals": 0}, **HTMX),
            }
        )  # fmt: skip
    assert counts[0] == counts[1]


def test_opening_equity_is_typed_as_an_amount_and_feeds_the_equity_rows(chief_client, plan):
    data = {"version": 1, "title": plan.title, "first_year": 2027, "years": 3, "unit": "tkr", "decimals": 0}
    bad = chief_client.post(
        url(plan, "plan_settings_edit"), {**data, "opening_equity": "tolv kronor"}, **HTMX
    )
    assert bad.status_code == 422
    assert "tolv kronor" in bad.content.decode()  # the user's input is kept
    plan.refresh_from_db()
    assert plan.opening_equity is None and plan.version == 1

    response = chief_client.post(
        url(plan, "plan_settings_edit"), {**data, "opening_equity": "1 500 000"}, **HTMX
    )
    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.opening_equity.amount == 1500000
    assert "1\u00a0500\u00a0000\u00a0kr" in response.content.decode()
    page = chief_client.get(plan.get_absolute_url()).content.decode()
    assert "Eget kapital vid årets början" in page

    cleared = chief_client.post(
        url(plan, "plan_settings_edit"), {**data, "version": 2, "opening_equity": ""}, **HTMX
    )
    assert cleared.status_code == 200
    plan.refresh_from_db()
    assert plan.opening_equity is None


def test_the_chief_sends_the_plan_to_the_board_from_the_editor(client, chief, plan):
    client.force_login(chief)
    page = client.get(url(plan, "plan_edit")).text
    action = reverse("plan_action", kwargs={"association": plan.association.slug, "pk": plan.pk})
    assert f'action="{action}"' in page and 'value="submit"' in page
    response = client.post(action, {"action": "submit"})
    plan.refresh_from_db()
    assert response.status_code == 302 and plan.state == Plan.State.IN_REVIEW
