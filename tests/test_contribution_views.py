"""The member contributions page (budgets.views.contributions.plan_contributions): who may see and change it, the key,
the overrides, and the rounding notes printed under budget tables (plan page, grid, PDF source)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.calc import plan_budget
from budgets.models import BudgetAmount, BudgetGroup, BudgetLine, ContributionKeyValue, ContributionOverride
from budgets.services import contribution_key_set, contribution_override_set
from finsam.models import Membership
from finsam.site.demo.loader import load_association
from finsam.site.demo.reading import read_demo_file
from plans.models import Chapter, Plan, PlanEvent
from tests.factories import (
    AssociationFactory,
    BudgetColumnFactory,
    BudgetGroupFactory,
    ChapterFactory,
    MembershipFactory,
    OrganisationFactory,
    PlanFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
NBSP = "\u00a0"
D = Decimal


def kr(text: str) -> str:
    """Spaces between digits as the page prints them: no-break spaces (`1 848 001`)."""
    return re.sub(r"(?<=\d) (?=\d)", NBSP, text)


def page_text(response) -> str:
    """The visible text of the page's messages and main region (or of an HTMX answer), tags and spaces collapsed."""
    html = response.content.decode()
    if "<main" in html:  # the messages region and the main content
        html = html[html.index('<div id="messages"') : html.index("</main>")]
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"[ \n\t]+", " ", text)


# --- Fixtures ------------------------------------------------------------------------------------------


class World:
    """Samordningsförbundet Alfa: the state, a region and three municipalities; a draft plan with one
    budget column of 1 848 001 kr in contributions (state 924 001, region 462 000, municipalities 462 000)."""

    def __init__(self):
        self.association = AssociationFactory(name="Samordningsförbundet Alfa", slug="alfa")
        make = OrganisationFactory
        a = self.association
        self.fk = make(association=a, name="Försäkringskassan", kind="state", position=1)
        self.af = make(association=a, name="Arbetsförmedlingen", kind="state", position=2)
        self.region = make(association=a, name="Region Alfa", kind="region", position=3)
        self.filipstad = make(association=a, name="Filipstads kommun", position=4)
        self.storfors = make(association=a, name="Storfors kommun", position=5)
        self.kristinehamn = make(association=a, name="Kristinehamns kommun", position=6)
        self.municipalities = [self.filipstad, self.storfors, self.kristinehamn]
        self.plan = self.build_plan()
        self.column = self.plan.budget_columns.get()
        self.users = {
            role: MembershipFactory(association=a, role=role).user
            for role in (
                Membership.Role.CHIEF,
                Membership.Role.CHAIR,
                Membership.Role.BOARD,
                Membership.Role.READER,
            )
        }
        self.chief = self.users[Membership.Role.CHIEF]

    def build_plan(self, **fields):
        """A plan with one budget column of 1 848 001 kr in contributions; each plan its own year."""
        year = 2027 + self.association.plans.count()
        plan = PlanFactory(association=self.association, first_year=year, years=1, **fields)
        BudgetColumnFactory(plan=plan, year=year, kind="budget", contributions_total=D(1848001))
        BudgetGroupFactory(plan=plan, section="revenue", kind="contributions", name="Medlemsavgifter")
        return plan

    def url(self, plan=None):
        plan = plan or self.plan
        return reverse("plan_contributions", kwargs={"association": plan.association.slug, "pk": plan.pk})

    def key_stamp(self, client, plan=None) -> str:
        html = client.get(self.url(plan)).content.decode()
        return re.search(r'name="nyckel-stamp" value="([0-9a-f]*)"', html)[1]

    def override_stamp(self, client, plan=None) -> str:
        html = client.get(self.url(plan)).content.decode()
        return re.search(r'name="justering-stamp" value="([0-9a-f]*)"', html)[1]

    def key_post(self, client, factors, *, stamp=None, action="key", extra=None, **headers):
        """POST the key form: `factors` is `[(name, weight, [value per municipality])]`."""
        data = {
            "action": action,
            "nyckel-stamp": self.key_stamp(client) if stamp is None else stamp,
            "nyckel-TOTAL_FORMS": str(len(factors)),
            "nyckel-INITIAL_FORMS": "0",
        }
        for index, (name, weight, values) in enumerate(factors):
            data[f"nyckel-{index}-name"] = name
            data[f"nyckel-{index}-weight"] = weight
            for organisation, value in zip(self.municipalities, values, strict=True):
                data[f"nyckel-{index}-value_{organisation.pk}"] = value
        data.update(extra or {})
        return client.post(self.url(), data, **headers)

    def override_post(self, client, *, part, amount, reason, column=None, stamp=None, **headers):
        data = {
            "action": "override",
            "justering-stamp": self.override_stamp(client) if stamp is None else stamp,
            "justering-column": str((column or self.column).pk),
            "justering-part": part,
            "justering-amount": amount,
            "justering-reason": reason,
        }
        return client.post(self.url(), data, **headers)

    def stored_key(self):
        return list(
            ContributionKeyValue.objects.filter(factor__plan=self.plan)
            .order_by("factor__position", "organisation__position")
            .values_list("factor__name", "factor__weight_percent", "organisation__name", "value")
        )

    def municipal_parts(self):
        result = plan_budget(Plan.objects.get(pk=self.plan.pk))
        (group,) = [g for g in result.revenue_groups if g.group.kind == "contributions"]
        return {row.label: row.amounts[2027] for row in group.rows}


@pytest.fixture
def world():
    return World()


@pytest.fixture
def chief_client(client, world):
    client.force_login(world.chief)
    return client


WEIGHTED_KEY = [
    ("Befolkning 16–64 år", "25", ["6 000", "2 400", "15 100"]),
    ("Försörjningsmått", "75", ["120", "45", "310"]),
]


# --- Access ----------------------------------------------------------------------------------------------


def test_the_chief_sees_the_split_and_the_forms(chief_client, world):
    response = chief_client.get(world.url())
    assert response.status_code == 200
    text = page_text(response)
    assert "Medlemsavgifter och fördelningsnyckel" in text
    # 1 848 001 kr: the krona left over goes to the part with the largest remainder (the state's ½).
    assert kr("Försäkringskassan/Arbetsförmedlingen 924 001") in text
    assert kr("Region Alfa 462 000") in text
    assert kr("Kommunerna 462 000") in text
    assert kr("Summa medlemsavgifter i budgeten 1 848 001") in text
    assert "Spara nyckeln" in text and "Justera delen" in text
    # The total is typed in the budget grid: the page links there.
    grid = reverse("plan_budget_grid", kwargs={"association": "alfa", "pk": world.plan.pk})
    assert f'href="{grid}#contributions-{world.column.pk}"' in response.content.decode()


@pytest.mark.parametrize("role", [Membership.Role.CHAIR, Membership.Role.BOARD])
def test_the_board_reads_the_page_but_cannot_change_it(client, world, role):
    client.force_login(world.users[role])
    response = client.get(world.url())
    assert response.status_code == 200
    assert kr("Kommunerna 462 000") in page_text(response)
    assert "Spara nyckeln" not in page_text(response)
    stamp = re.search(r"[0-9a-f]{16}", "0" * 16)[0]
    response = world.key_post(client, WEIGHTED_KEY, stamp=stamp)
    assert response.status_code == 403
    response = world.override_post(client, part="region", amount="1", reason="x", stamp=stamp)
    assert response.status_code == 403
    assert world.stored_key() == [] and not ContributionOverride.objects.exists()


def test_a_reader_reads_the_adopted_plan_only_and_changes_nothing(client, world):
    adopted = world.build_plan(state=Plan.State.ADOPTED, adopted_on=datetime.date(2026, 11, 25))
    client.force_login(world.users[Membership.Role.READER])
    assert client.get(world.url(adopted)).status_code == 200
    assert client.get(world.url()).status_code == 404  # readers never see drafts
    response = client.post(world.url(adopted), {"action": "key"})
    assert response.status_code == 403


def test_an_adopted_plan_cannot_be_changed_even_by_the_chief(chief_client, world):
    adopted = world.build_plan(state=Plan.State.ADOPTED, adopted_on=datetime.date(2026, 11, 25))
    response = chief_client.get(world.url(adopted))
    assert response.status_code == 200
    assert "Spara nyckeln" not in page_text(response)
    assert "Planen kan inte ändras i sin nuvarande status" in page_text(response)
    column = adopted.budget_columns.get()
    data = {
        "action": "override",
        "justering-column": column.pk,
        "justering-part": "region",
        "justering-amount": "1",
        "justering-reason": "x",
    }
    assert chief_client.post(world.url(adopted), data).status_code == 403
    assert not ContributionOverride.objects.exists()


def test_another_associations_chief_gets_404(client, world):
    outsider = MembershipFactory(association=AssociationFactory(slug="beta"), role=Membership.Role.CHIEF).user
    client.force_login(outsider)
    assert client.get(world.url()).status_code == 404
    assert client.post(world.url(), {"action": "key"}).status_code == 404
    # A's plan under B's own address: 404 too.
    beta_url = reverse("plan_contributions", kwargs={"association": "beta", "pk": world.plan.pk})
    assert client.get(beta_url).status_code == 404


def test_anonymous_users_are_sent_to_the_login_page(client, world):
    for response in (client.get(world.url()), client.post(world.url(), {"action": "key"})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_an_unknown_action_is_a_bad_request(chief_client, world):
    assert chief_client.post(world.url(), {"action": "radera-allt"}).status_code == 400


# --- The key ---------------------------------------------------------------------------------------------


def test_a_weighted_key_splits_the_municipalities_quarter_exactly(chief_client, world):
    response = world.key_post(chief_client, WEIGHTED_KEY)
    assert response.status_code == 302
    assert response.url == world.url() + "#fordelning"
    assert world.stored_key() == [
        ("Befolkning 16–64 år", D(25), "Filipstads kommun", D(6000)),
        ("Befolkning 16–64 år", D(25), "Storfors kommun", D(2400)),
        ("Befolkning 16–64 år", D(25), "Kristinehamns kommun", D(15100)),
        ("Försörjningsmått", D(75), "Filipstads kommun", D(120)),
        ("Försörjningsmått", D(75), "Storfors kommun", D(45)),
        ("Försörjningsmått", D(75), "Kristinehamns kommun", D(310)),
    ]
    # Exact shares 117 026,20 / 44 622,06 / 300 351,74: the krona left over goes to Kristinehamn.
    parts = world.municipal_parts()
    assert [parts[org.name] for org in world.municipalities] == [D(117026), D(44622), D(300352)]
    assert sum(parts[org.name] for org in world.municipalities) == D(462000)

    page = chief_client.get(world.url())
    text = page_text(page)
    assert "Fördelningsnyckeln sparades" in text  # the message after the redirect
    assert kr("Filipstads kommun 117 026") in text
    assert kr("Storfors kommun 44 622") in text
    assert kr("Kristinehamns kommun 300 352") in text
    assert "Kommunerna 462" not in text  # one row per municipality now
    assert kr("Summa medlemsavgifter i budgeten 1 848 001") in text
    assert f"Filipstads kommun 25,33{NBSP}%" in text  # the municipality's share of the 25 %
    # The form shows the key as saved, to be changed.
    html = page.content.decode()
    assert 'value="Försörjningsmått"' in html and 'value="15100"' in html
    event = PlanEvent.objects.filter(plan=world.plan).latest("id")
    assert (event.user, event.action) == (world.chief, "edited")


def test_a_key_saved_with_htmx_answers_with_the_editor_and_a_message(chief_client, world):
    response = world.key_post(chief_client, WEIGHTED_KEY, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="contributions-editor"')
    assert kr("300 352") in html
    assert 'hx-swap-oob="innerHTML:#messages"' in html and "Fördelningsnyckeln sparades" in html
    assert "<html" not in html


def test_fixed_shares_are_one_factor_of_weight_100(chief_client, world):
    response = world.key_post(chief_client, [("Fast andel", "100", ["50", "20", "30"])])
    assert response.status_code == 302
    parts = world.municipal_parts()
    assert [parts[org.name] for org in world.municipalities] == [D(231000), D(92400), D(138600)]


def test_weights_that_do_not_add_up_to_100_are_refused_with_the_input_kept(chief_client, world):
    contribution_key_set(
        plan=world.plan, factors=[("Fast andel", 100, dict.fromkeys(world.municipalities, 1))], by=world.chief
    )
    before = world.stored_key()
    bad = [
        ("Befolkning 16–64 år", "25", ["6 000", "2 400", "15 100"]),
        ("Försörjningsmått", "65,5", ["1", "2", "3"]),
    ]
    response = world.key_post(chief_client, bad, **HTMX)
    assert response.status_code == 422
    text = page_text(response)
    assert "Vikterna summerar till 90,5 %; de ska summera till 100 %." in text
    html = response.content.decode()
    assert 'value="65,5"' in html and 'value="15 100"' in html  # what the chief typed
    assert world.stored_key() == before


def test_bad_values_are_shown_at_their_fields(chief_client, world):
    bad = [("Befolkning", "25", ["-5", "", "abc"]), ("", "75,123", ["1", "2", "3"])]
    response = world.key_post(chief_client, bad)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Talet får inte vara negativt." in html
    assert "Ange ett värde, 0 om kommunen inte ska räknas med." in html
    assert "Skriv ett tal med siffror" in html
    assert "Ange ett namn" in html and "Skriv högst 2 decimaler." in html
    value_id = f"id_nyckel-0-value_{world.filipstad.pk}"
    assert f'aria-describedby="{value_id}-fel"' in html and 'value="-5"' in html
    assert "Fördelningsnyckeln sparades inte" in page_text(response)  # the page's message
    assert world.stored_key() == []


def test_another_associations_organisation_in_the_post_is_refused(chief_client, world):
    outsider = OrganisationFactory(association=AssociationFactory(slug="gamma"), name="Karlstads kommun")
    response = world.key_post(
        chief_client,
        [("Fast andel", "100", ["1", "1", "1"])],
        extra={f"nyckel-0-value_{outsider.pk}": "1000"},
    )
    assert response.status_code == 422
    text = page_text(response)
    assert f"Organisationen med id {outsider.pk} är inte en medlemskommun i förbundet" in text
    assert "Karlstads kommun" not in text  # never looked up, never shown
    assert world.stored_key() == [] and not PlanEvent.objects.filter(plan=world.plan).exists()


def test_a_key_saved_from_an_outdated_page_is_a_conflict(chief_client, world):
    stamp = world.key_stamp(chief_client)
    contribution_key_set(  # someone else, in another tab
        plan=world.plan, factors=[("Fast andel", 100, dict.fromkeys(world.municipalities, 1))], by=world.chief
    )
    response = world.key_post(chief_client, WEIGHTED_KEY, stamp=stamp, **HTMX)
    assert response.status_code == 409
    assert "Någon annan har ändrat fördelningsnyckeln" in page_text(response)
    assert 'value="Försörjningsmått"' in response.content.decode()  # the chief's input is kept
    assert world.stored_key()[0][0] == "Fast andel"
    # The answer carries the new stamp: saving again replaces the other key.
    new_stamp = re.search(r'name="nyckel-stamp" value="([0-9a-f]*)"', response.content.decode())[1]
    assert world.key_post(chief_client, WEIGHTED_KEY, stamp=new_stamp).status_code == 302
    assert world.stored_key()[0][0] == "Befolkning 16–64 år"


def test_adding_a_factor_saves_nothing_and_keeps_the_input(chief_client, world):
    response = world.key_post(chief_client, [("Befolkning", "25", ["1", "2", "3"])], action="add-factor")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Befolkning"' in html
    assert 'name="nyckel-1-name"' in html and "autofocus" in html
    assert "Inget är sparat ännu" in page_text(response)
    assert world.stored_key() == []


def test_removing_every_factor_removes_the_key(chief_client, world):
    world.key_post(chief_client, WEIGHTED_KEY)
    response = world.key_post(
        chief_client, WEIGHTED_KEY, extra={"nyckel-0-DELETE": "on", "nyckel-1-DELETE": "on"}
    )
    assert response.status_code == 302
    assert world.stored_key() == []
    assert world.municipal_parts()["Kommunerna"] == D(462000)


# --- Overrides -------------------------------------------------------------------------------------------


def test_an_override_is_shown_with_its_reason_and_the_totals_follow(chief_client, world):
    response = world.override_post(
        chief_client, part="region", amount="460 000", reason="Regionfullmäktiges beslut"
    )
    assert response.status_code == 302
    text = page_text(chief_client.get(world.url()))
    assert kr("Region Alfa Justerad 2027: Regionfullmäktiges beslut 460 000 (justerad)") in text
    # The parts add up to 2 000 kr less than the typed total, and the page says why.
    assert kr("Summa medlemsavgifter i budgeten 1 846 001") in text
    assert kr("delarna summerar till 1 846 001 kr och totalen är 1 848 001 kr") in text
    # The overrides' list: computed and overridden amounts.
    assert f"2027 Regionen 462{NBSP}000 460{NBSP}000 Regionfullmäktiges beslut" in text
    # The budget counts the override: revenue follows.
    assert plan_budget(Plan.objects.get(pk=world.plan.pk)).revenue_total[2027] == D(1846001)


def test_one_municipality_is_overridden_where_the_key_splits_them(chief_client, world):
    world.key_post(chief_client, WEIGHTED_KEY)
    response = world.override_post(
        chief_client, part=f"municipality:{world.storfors.pk}", amount="45000", reason="Avtal", **HTMX
    )
    assert response.status_code == 200
    text = page_text(response)
    assert kr("Storfors kommun Justerad 2027: Avtal 45 000 (justerad)") in text
    assert kr("Filipstads kommun 117 026") in text  # the others keep their computed parts
    assert kr("Summa medlemsavgifter i budgeten 1 848 379") in text
    assert "Storfors kommun 2027 är justerad till" in text  # the announcement


def test_the_municipalities_part_overridden_together_is_still_split_by_the_key(chief_client, world):
    world.key_post(chief_client, WEIGHTED_KEY)
    for part, organisation, amount, reason in [
        ("municipalities", None, 400000, "Kommunernas beslut"),
        ("municipality", world.storfors, 50000, "Avtal"),
    ]:
        contribution_override_set(
            column=world.column,
            part=part,
            organisation=organisation,
            amount=amount,
            reason=reason,
            by=world.chief,
        )
    text = page_text(chief_client.get(world.url()))
    # 400 000 kr by the key (101 321,39 / 38 633,82 / 260 044,79), then Storfors' own override.
    assert kr("Filipstads kommun Justerad 2027: Kommunernas beslut 101 321 (justerad)") in text
    assert kr("Kristinehamns kommun Justerad 2027: Kommunernas beslut 260 045 (justerad)") in text
    assert (
        kr("Storfors kommun Justerad 2027: Avtal Justerad 2027: Kommunernas beslut 50 000 (justerad)") in text
    )
    # Each override beside what it replaced: the municipalities' 462 000 kr, Storfors' 44 622 kr.
    assert f"2027 Kommunerna tillsammans 462{NBSP}000 400{NBSP}000 Kommunernas beslut" in text
    assert f"2027 Storfors kommun 44{NBSP}622 50{NBSP}000 Avtal" in text

    # Without a key the municipalities share one row again; Storfors' own override no longer applies.
    contribution_key_set(plan=world.plan, factors=[], by=world.chief)
    text = page_text(chief_client.get(world.url()))
    assert kr("Kommunerna Justerad 2027: Kommunernas beslut 400 000 (justerad)") in text
    assert "Storfors kommun (gäller inte: kommunerna har ingen fördelningsnyckel)" in text


def test_override_input_is_checked_and_kept(chief_client, world):
    other_plan_column = world.build_plan().budget_columns.get()
    cases = [
        ({"amount": "12,5", "reason": "Skäl"}, "hela kronor"),
        ({"amount": "-100", "reason": "Skäl"}, "Beloppet får inte vara negativt."),
        ({"amount": "1000", "reason": "  "}, "Skriv varför beloppet justeras."),
        ({"amount": "1000", "reason": "Skäl", "column": other_plan_column}, "Välj ett av planens år."),
    ]
    for fields, message in cases:
        response = world.override_post(chief_client, part="region", **fields)
        assert response.status_code == 422, fields
        assert message in page_text(response), fields
        assert f'value="{fields["amount"]}"' in response.content.decode()
    assert not ContributionOverride.objects.exists()


def test_a_municipality_of_another_association_cannot_be_overridden(chief_client, world):
    world.key_post(chief_client, WEIGHTED_KEY)
    outsider = OrganisationFactory(association=AssociationFactory(slug="gamma"), name="Karlstads kommun")
    response = world.override_post(chief_client, part=f"municipality:{outsider.pk}", amount="1", reason="x")
    assert response.status_code == 422
    assert "Välj en av delarna i listan." in page_text(response)
    assert not ContributionOverride.objects.exists()


def test_a_single_municipality_without_a_key_is_refused_by_the_service(chief_client, world):
    # Without a key the municipalities share one row; a municipality's own part is not offered.
    response = world.override_post(
        chief_client, part=f"municipality:{world.storfors.pk}", amount="1", reason="x"
    )
    assert response.status_code == 422
    assert not ContributionOverride.objects.exists()


def test_an_override_saved_from_an_outdated_page_is_a_conflict(chief_client, world):
    stamp = world.override_stamp(chief_client)
    contribution_override_set(column=world.column, part="state", amount=1, reason="Annan", by=world.chief)
    response = world.override_post(chief_client, part="region", amount="460000", reason="Mitt", stamp=stamp)
    assert response.status_code == 409
    assert "Medlemsavgifterna har ändrats sedan sidan visades" in page_text(response)
    assert 'value="Mitt"' in response.content.decode()
    assert list(ContributionOverride.objects.values_list("part", flat=True)) == ["state"]


def test_clearing_an_override_brings_back_the_computed_part(chief_client, world):
    override = contribution_override_set(
        column=world.column, part="region", amount=460000, reason="Beslut", by=world.chief
    )
    stale = {"action": "clear", "override": override.pk, "version": override.version + 1}
    assert chief_client.post(world.url(), stale, **HTMX).status_code == 409
    assert ContributionOverride.objects.exists()

    response = chief_client.post(
        world.url(), {"action": "clear", "override": override.pk, "version": override.version}, **HTMX
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "(justerad)" not in text and "Inga delar är justerade." in text
    assert kr("Region Alfa 462 000") in text
    assert not ContributionOverride.objects.exists()
    # Clearing it again (a second tab): nothing to remove, said so.
    again = chief_client.post(world.url(), {"action": "clear", "override": override.pk, "version": 1})
    assert again.status_code == 409
    assert "Inget togs bort" in page_text(again)


def test_another_plans_override_cannot_be_cleared_from_this_page(chief_client, world):
    other = world.build_plan()
    override = contribution_override_set(
        column=other.budget_columns.get(), part="region", amount=1, reason="", by=world.chief
    )
    response = chief_client.post(world.url(), {"action": "clear", "override": override.pk, "version": 1})
    assert response.status_code == 409
    assert ContributionOverride.objects.filter(pk=override.pk).exists()


# --- Queries ---------------------------------------------------------------------------------------------


def queries_for_page(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_for_three_and_ten_municipalities(chief_client, world):
    world.key_post(chief_client, WEIGHTED_KEY)
    contribution_override_set(column=world.column, part="region", amount=1, reason="x", by=world.chief)
    small = queries_for_page(chief_client, world.url())
    for index in range(7):
        extra = OrganisationFactory(
            association=world.association, name=f"Kommun {index}", position=10 + index
        )
        world.municipalities.append(extra)
    key = [(name, weight, [*values, *["100"] * 7]) for name, weight, values in WEIGHTED_KEY]
    assert world.key_post(chief_client, key).status_code == 302
    contribution_override_set(column=world.column, part="state", amount=1, reason="x", by=world.chief)
    assert queries_for_page(chief_client, world.url()) == small


# --- Links -----------------------------------------------------------------------------------------------


def test_the_plan_page_and_the_grid_link_to_the_page(chief_client, world):
    link = f'href="{world.url()}"'
    assert link in chief_client.get(world.plan.get_absolute_url()).content.decode()
    grid = reverse("plan_budget_grid", kwargs={"association": "alfa", "pk": world.plan.pk})
    assert link in chief_client.get(grid).content.decode()


# --- Rounding notes under budget tables ------------------------------------------------------------------


def rounding_plan(world):
    """A plan printed in tkr without decimals whose administration lines (1 400 kr each) print as 1 and
    1 while their exact sum, 2 800 kr, prints as 3: the printed rows do not add up to the printed total."""
    plan = world.build_plan(unit=Plan.Unit.TKR, decimals=0)
    ChapterFactory(plan=plan, kind=Chapter.Kind.BUDGET, heading="Budget")
    column = plan.budget_columns.get()
    admin = BudgetGroupFactory(
        plan=plan, kind=BudgetGroup.Kind.ADMINISTRATION, name="Administration", position=1
    )
    other = BudgetGroupFactory(plan=plan, kind=BudgetGroup.Kind.PROJECT_COSTS, name="Projekt", position=2)
    for group, name, amount in [
        (admin, "Lokaler", 1400),
        (admin, "Resor", 1400),
        (other, "Utvärdering", 5000),
    ]:
        line = BudgetLine.objects.create(group=group, name=name)
        BudgetAmount.objects.create(line=line, column=column, amount=amount)
    return plan


def note(plan) -> str:
    return (
        f"Summa administration {plan.first_year}: raderna summerar till 2{NBSP}tkr, "
        f"summan av de exakta beloppen är 3{NBSP}tkr."
    )


def test_a_rounding_difference_is_noted_under_the_budget_table(chief_client, world):
    plan = rounding_plan(world)
    text = page_text(chief_client.get(plan.get_absolute_url()))
    assert note(plan) in text
    assert text.index("Summa kostnader") < text.index(note(plan))  # under the table
    # The review page renders the same document; the grid prints the same note under its table.
    review = reverse("plan_review", kwargs={"association": "alfa", "pk": plan.pk})
    assert note(plan) in page_text(chief_client.get(review))
    grid = reverse("plan_budget_grid", kwargs={"association": "alfa", "pk": plan.pk})
    assert note(plan) in page_text(chief_client.get(grid))
    # And the PDF's HTML, rendered from the same template.
    from plans.pdf import plan_pdf_source

    assert note(plan) in re.sub(r"[ \n\t]+", " ", re.sub(r"<[^>]+>", " ", plan_pdf_source(plan).html))


def test_a_grid_save_that_removes_the_difference_removes_the_note(chief_client, world):
    plan = rounding_plan(world)
    grid = reverse("plan_budget_grid", kwargs={"association": "alfa", "pk": plan.pk})
    line = BudgetLine.objects.get(group__plan=plan, name="Resor")
    amount = BudgetAmount.objects.get(line=line)
    cell = reverse(
        "budget_cell",
        kwargs={"association": "alfa", "pk": plan.pk, "line_id": line.pk, "column_id": amount.column_id},
    )
    response = chief_client.post(cell, {"amount": "1", "version": amount.version}, **HTMX)  # 1 tkr
    assert response.status_code == 200
    html = response.content.decode()
    # The answer replaces the notes out of band: 1 400 + 1 000 kr print as 1 + 1 and total 2.
    assert 'id="budget-rounding-notes" hx-swap-oob="innerHTML"' in html
    assert f"Summa administration {plan.first_year}" not in page_text(response)
    assert f"Summa administration {plan.first_year}" not in page_text(chief_client.get(grid))


@pytest.fixture
def gavleborg():
    """Gävleborg's demo plan: printed in tkr without decimals, and its printed rows add up."""
    from finsam.site.demo.reading import demo_files

    data = next(read_demo_file(p) for p in demo_files() if read_demo_file(p)["slug"] == "gavleborg")
    load_association(data, source="gavleborg")
    return Plan.objects.get(association__slug="gavleborg")


def test_a_demo_plan_has_no_rounding_note(client, gavleborg):
    assert gavleborg.unit == Plan.Unit.TKR
    client.force_login(MembershipFactory(association=gavleborg.association, role=Membership.Role.READER).user)
    response = client.get(gavleborg.get_absolute_url())
    assert response.status_code == 200
    text = page_text(response)
    assert "Summa kostnader" in text  # the budget table is there
    assert "summan av de exakta beloppen" not in text
    assert "rounding-notes" not in response.content.decode()
