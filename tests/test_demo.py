"""The demo data: `load_demo` builds three complete associations whose budgets reproduce the documents."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from budgets.calc import plan_budget
from budgets.models import BudgetAmount, BudgetGroup, StatedFigure
from budgets.stated import compare_stated, prints_alike
from finsam.models import Association, Membership
from finsam.money import scaled
from finsam.site.demo.loader import (
    ADMIN_PASSWORD,
    DEMO_PASSWORD,
    demo_logins,
    load_demo,
    logins_table,
)
from finsam.site.demo.reading import demo_files, read_demo_file
from interventions.models import Grant
from plans.models import Plan
from tests.group_data import built_once_for_the_group

SLUGS = ["gavleborg", "ornskoldsvik", "ostra-varmland"]

# The budget tables as the documents print them, line by line (the seeds in ../shared/seeds), with
# finsam's label where it words a row differently. Costs print negative in both; "" is a blank cell.
PRINTED_TABLES = {
    "ornskoldsvik": {  # "8. Budget 2020, Plan 2021-2022 (tkr)"
        "years": [2020, 2021, 2022],
        "rows": [
            ("Region Västernorrland", "1258,5", "1259", "1259"),
            ("Örnsköldsviks Kommun", "1258,5", "1259", "1259"),
            ("Försäkringskassan/Arbetsförmedlingen", "2517", "2518", "2518"),
            ("Parternas insats", "5034", "5036", "5036"),
            ("Uppdragsersättning förbundschef 100 %", "-725", "-735", "-745"),
            ("Kanslikostnader, hyra, dator, tele, dataskyddsbud", "-100", "-100", "-100"),
            ("Arvoden, ersättningar styrelsen", "-120", "-120", "-120"),
            ("Rese- och logikostnader", "-65", "-65", "-65"),
            ("Medlemsavgift NNS inklusive serviceavgift", "-11", "-11", "-11"),
            ("Sammanträdeskostnader", "-10", "-10", "-10"),
            ("Summa administration", "-1031", "-1041", "-1051"),
            ("Plattform U", "-600", "-600", "-600"),
            ("Vidare Vy", "-455", "-455", ""),
            ("Projekt Äpplet", "-600", "-600", ""),
            ("Samtalsbyrå för unga", "-300", "-305", "-310"),
            ("Processtöd VINR 50 %", "-280", "-21", ""),
            ("Processtöd Vägen till arbete 25 %", "-63", "", ""),
            ("Processtöd/Utvecklingsstrateg Psykisk hälsa 100 %", "-610", "-620", ""),
            ("Psykeveckan V.45", "-100", "-75", "-75"),
            ("Kompetensutveckling i samverkan", "-135", "", ""),
            ("Kurs- och konferensavgifter", "-50", "", ""),
            ("Nya ej beslutade aktiviteter", "-810", "-1319", "-3000"),
            ("Summa insatser", "-4003", "-3995", "-3985"),
            ("Summa totala kostnader", "-5034", "-5036", "-5036"),
        ],
        "labels": {
            "Örnsköldsviks Kommun": "Örnsköldsviks kommun",
            "Parternas insats": "Summa intäkter",
            "Summa totala kostnader": "Summa kostnader",
        },
        # Rows finsam prints that the document's table leaves out (its result is 0, said in chapter 7.1).
        "not_printed": {"Resultat"},
    },
    "gavleborg": {  # "Budget 2022-2024, tkr"
        "years": [2022, 2023, 2024],
        "rows": [
            ("Försäkringskassan/Arbetsförmedlingen", "6 660", "6 660", "6 660"),
            ("Region Gävleborg", "3 330", "3 330", "3 330"),
            ("Kommunerna", "3 330", "3 330", "3 330"),
            ("Summa intäkter", "13 320", "13 320", "13 320"),
            ("Samverkansmedel (beviljade)", "-11 511", "-8 886", "-271"),
            ("Samverkansmedel (tillgängliga)", "-519", "-434", "-8 883"),
            ("Övriga externa kostnader", "-652", "-685", "-719"),
            ("Personalkostnader", "-3 187", "-3 315", "-3 447"),
            ("Summa kostnader", "-15 869", "-13 320", "-13 320"),
            ("Resultat", "-2 549", "0", "0"),
        ],
        "labels": {},
        "not_printed": set(),
    },
}


def demo_data(slug):
    return next(read_demo_file(path) for path in demo_files() if read_demo_file(path)["slug"] == slug)


def model_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def plan_of(slug):
    return Plan.objects.get(association__slug=slug)


@pytest.fixture(scope="module")
def loaded_demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module's tests (each test's changes are rolled back after it)."""
    yield from built_once_for_the_group(django_db_blocker, load_demo)


@pytest.fixture
def demo(loaded_demo, db):
    return loaded_demo


def test_there_are_three_demo_files():
    assert sorted(read_demo_file(path)["slug"] for path in demo_files()) == SLUGS


@pytest.mark.django_db
def test_it_loads_three_associations(demo):
    assert [report.slug for report in demo.reports] == SLUGS
    assert {report.status for report in demo.reports} == {"skapad"}
    assert demo.admin_created
    assert sorted(Association.objects.values_list("slug", flat=True)) == SLUGS
    assert Plan.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_it_loads_everything_in_the_file_in_order(demo, slug):
    data = demo_data(slug)
    association = Association.objects.get(slug=slug)
    plan = association.plans.get()
    info = data["plan"]

    assert association.name == data["association"]["name"]
    assert list(association.organisations.order_by("position").values_list("name", flat=True)) == [
        org["name"] for org in data["organisations"]
    ]
    assert list(association.board_seats.values_list("person_name", "role", "appointed_by__name")) == [
        (
            seat["name"],
            seat["role"],
            next(o["name"] for o in data["organisations"] if o["key"] == seat["organisation"]),
        )
        for seat in data["board"]
    ]
    assert list(association.staff.values_list("title", flat=True)) == [s["title"] for s in data["staff"]]

    assert plan.title == info["title"]
    assert (plan.first_year, plan.years, plan.unit, plan.decimals, plan.costs_negative) == (
        info["first_year"],
        info["years"],
        info["unit"],
        info["decimals"],
        info["costs_negative"],
    )
    assert list(plan.chapters.values_list("heading", "kind", "level")) == [
        (c["heading"], c["kind"], c["level"]) for c in info["chapters"]
    ]
    assert list(plan.goals.values_list("title", flat=True)) == [g["title"] for g in info["goals"]]
    for goal, goal_data in zip(plan.goals.all(), info["goals"], strict=True):
        assert list(goal.indicators.values_list("text", flat=True)) == [
            i["text"] for i in goal_data["indicators"]
        ]
    assert plan.target_groups.count() == len(info["target_groups"])
    assert plan.control_items.count() == len(info["control_items"])
    assert plan.communication_items.count() == len(info["communication_items"])
    assert plan.activity_items.count() == len(info["activity_items"])

    links = plan.plan_interventions.select_related("intervention").order_by("position")
    assert [link.intervention.name for link in links] == [i["name"] for i in data["interventions"]]
    for link, item in zip(links, data["interventions"], strict=True):
        intervention = link.intervention
        assert intervention.association == association
        assert {g.year: g.amount.amount for g in intervention.grants.all()} == {
            int(year): Decimal(amount) for year, amount in item["grants"].items()
        }
        assert intervention.partners.count() == len(item["partners"])
        assert (intervention.owner is None) == (item["owner"] is None)

    budget = info["budget"]
    assert list(plan.budget_columns.values_list("year", "kind")) == [
        (c["year"], c["kind"]) for c in budget["columns"]
    ]
    for column in plan.budget_columns.all():
        assert column.contributions_total.amount == Decimal(budget["contributions"][str(column.year)])
    assert list(plan.budget_groups.order_by("position").values_list("name", "kind", "section")) == [
        (g["name"], g["kind"], g["section"]) for g in budget["groups"]
    ]
    assert plan.stated_figures.count() == sum(len(row["amounts"]) for row in budget["stated"])
    if info["opening_equity"] is None:
        assert plan.opening_equity is None
    else:
        assert plan.opening_equity.amount == Decimal(info["opening_equity"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "adopted_on", "minutes_reference"),
    [
        ("gavleborg", datetime.date(2021, 11, 26), ""),
        ("ornskoldsvik", datetime.date(2019, 11, 27), ""),
        ("ostra-varmland", datetime.date(2021, 12, 1), "§39"),
    ],
)
def test_every_plan_is_adopted_with_its_date_and_paragraph(demo, slug, adopted_on, minutes_reference):
    plan = plan_of(slug)
    assert plan.state == Plan.State.ADOPTED
    assert plan.is_locked
    assert plan.adopted_on == adopted_on
    assert plan.minutes_reference == minutes_reference


@pytest.mark.django_db
def test_it_creates_one_demo_user_per_role_and_association_and_an_admin(demo):
    User = get_user_model()
    for slug in SLUGS:
        for prefix, role in [
            ("chef", Membership.Role.CHIEF),
            ("ordforande", Membership.Role.CHAIR),
            ("ledamot", Membership.Role.BOARD),
            ("lasare", Membership.Role.READER),
        ]:
            user = User.objects.get(username=f"{prefix}.{slug}")
            assert user.check_password(DEMO_PASSWORD)
            assert user.email == f"{prefix}.{slug}@example.se"
            assert user.first_name and user.last_name
            assert not user.is_staff
            assert [(m.association.slug, m.role) for m in user.memberships.all()] == [(slug, role)]
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(ADMIN_PASSWORD)
    assert User.objects.count() == 13


@pytest.mark.django_db
def test_loading_twice_changes_nothing(demo):
    before = model_counts()
    again = load_demo()
    assert {report.status for report in again.reports} == {"finns redan"}
    assert not again.admin_created
    assert model_counts() == before


@pytest.mark.django_db
def test_loading_again_keeps_the_users_edits(demo):
    plan = plan_of("ornskoldsvik")
    plan.title = "Ändrad av förbundschefen"
    plan.save()
    chief = get_user_model().objects.get(username="chef.ornskoldsvik")
    chief.set_password("ett-eget-losenord")
    chief.save()
    Grant.objects.filter(intervention__name="Vidare Vy").delete()

    load_demo()

    assert plan_of("ornskoldsvik").title == "Ändrad av förbundschefen"
    chief.refresh_from_db()
    assert chief.check_password("ett-eget-losenord")
    assert not Grant.objects.filter(intervention__name="Vidare Vy").exists()


@pytest.mark.django_db
def test_reset_deletes_and_reloads_the_demo_associations(demo):
    before = model_counts()
    plan = plan_of("gavleborg")
    plan.title = "Ändrad"
    plan.save()
    BudgetAmount.objects.filter(line__group__plan=plan).delete()
    chief = get_user_model().objects.get(username="chef.gavleborg")
    chief.set_password("ett-eget-losenord")
    chief.save()
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("admins-eget")
    admin.save()

    reset = load_demo(reset=True)

    assert {report.status for report in reset.reports} == {"återställd"}
    assert model_counts() == before
    assert plan_of("gavleborg").title == "Verksamhetsplan och budget 2022–2024"
    assert get_user_model().objects.get(username="chef.gavleborg").check_password(DEMO_PASSWORD)
    # The admin is not a demo association's user: reset leaves it alone.
    assert get_user_model().objects.get(username="admin").check_password("admins-eget")
    for slug in SLUGS:
        assert compare_stated(plan_of(slug), plan_budget(plan_of(slug))) == []


# --- The loaded budgets reproduce the documents ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_every_stated_figure_matches_the_computed_budget(demo, slug):
    plan = plan_of(slug)
    assert compare_stated(plan, plan_budget(plan)) == []
    assert plan.stated_figures.exists()


def printed_budget(plan) -> dict[str, dict[int, Decimal]]:
    """Every row of the plan's budget table by the label finsam prints, as printed: in the plan's unit and
    decimals, costs negative where the plan prints them so, blank years left out. The rows are those of the
    document's table (templates/plans/document.html): a collapsed group is one row, a group's subtotal
    only where its section has several groups."""
    budget = plan_budget(plan)

    def printed(values, *, cost=False):
        sign = -1 if cost and plan.costs_negative else 1
        return {
            year: scaled(sign * value, unit=plan.unit, decimals=plan.decimals)
            for year, value in values.items()
            if value is not None
        }

    rows = {}
    for groups, _heading, total, is_cost in budget.sections:
        for group in groups:
            if group.group.collapsed:
                rows[group.group.name] = printed(group.totals, cost=is_cost)
                continue
            for row in group.rows:
                rows[row.label] = printed(row.amounts, cost=is_cost)
            if len(groups) > 1:
                rows[f"Summa {group.group.name.lower()}"] = printed(group.totals, cost=is_cost)
        rows["Summa kostnader" if is_cost else "Summa intäkter"] = printed(total, cost=is_cost)
    rows["Resultat"] = printed(budget.result)
    return rows


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(PRINTED_TABLES))
def test_the_budget_table_reproduces_the_document_line_by_line(demo, slug):
    table = PRINTED_TABLES[slug]
    computed = printed_budget(plan_of(slug))
    for label, *cells in table["rows"]:
        ours = computed[table["labels"].get(label, label)]
        for year, cell in zip(table["years"], cells, strict=True):
            expected = Decimal(cell.replace(" ", "").replace(",", ".")) if cell else None
            # A blank cell is a year without an amount (or nothing at all) in finsam too.
            assert ours.get(year) == expected or (expected is None and not ours.get(year)), (label, year)
    # And finsam prints no row the document does not.
    printed = {table["labels"].get(label, label) for label, *_cells in table["rows"]}
    assert set(computed) - printed == table["not_printed"]


@pytest.mark.django_db
def test_ornskoldsvik_2020_prints_the_adopted_figures(demo):
    """Issue 13: the adopted 2020 budget prints Vidare Vy −455, Projekt Äpplet −600, Summa insatser −4 003,
    Summa totala kostnader −5 034 and a result of 0 (tkr), as the board adopted it."""
    plan = plan_of("ornskoldsvik")
    computed = printed_budget(plan)
    assert {label: computed[label][2020] for label in ("Vidare Vy", "Projekt Äpplet")} == {
        "Vidare Vy": Decimal(-455),
        "Projekt Äpplet": Decimal(-600),
    }
    assert computed["Summa insatser"][2020] == Decimal(-4003)
    assert computed["Summa kostnader"][2020] == Decimal(-5034)
    budget = plan_budget(plan)
    assert budget.result == {2020: Decimal(0), 2021: Decimal(0), 2022: Decimal(0)}
    assert budget.closing_equity == {2020: Decimal(400000), 2021: Decimal(400000), 2022: Decimal(400000)}
    # The grants stay the exact amounts the texts grant; the budget holds the rounded frames.
    rows = {row.label: row for group in budget.groups for row in group.rows}
    assert rows["Vidare Vy"].granted[2020] == Decimal(454449)
    assert rows["Projekt Äpplet"].granted[2020] == Decimal(598085)
    assert {label: rows[label].budgeted for label in ("Vidare Vy", "Projekt Äpplet")} == {
        "Vidare Vy": {2020: Decimal(455000)},
        "Projekt Äpplet": {2020: Decimal(600000)},
    }
    assert all(
        not row.budgeted for label, row in rows.items() if label not in ("Vidare Vy", "Projekt Äpplet")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_every_stated_figure_has_a_computed_counterpart(demo, slug):
    plan = plan_of(slug)
    assert all(d.computed is not None for d in compare_stated(plan, plan_budget(plan)))


@pytest.mark.django_db
def test_compare_stated_notices_a_changed_amount(demo):
    plan = plan_of("gavleborg")
    amount = BudgetAmount.objects.get(line__name="Personalkostnader", column__year=2023)
    amount.amount = amount.amount.amount + 600  # 3 315 600 prints as 3 316 tkr
    amount.save()

    discrepancies = compare_stated(plan, plan_budget(plan))

    assert [(d.label, d.year) for d in discrepancies] == [
        ("Personalkostnader", 2023),
        ("Summa kostnader", 2023),
        ("Resultat", 2023),
    ]


@pytest.mark.django_db
def test_compare_stated_compares_kronor_where_the_document_prints_kronor(demo):
    """Gävleborg's intervention list prints "Totalt Mysam 5 854 905" in kronor inside a tkr plan."""
    plan = plan_of("gavleborg")
    grant = Grant.objects.get(intervention__name="Fontänhus Sandviken", year=2022)
    grant.amount = grant.amount.amount + 1
    grant.save()

    discrepancies = compare_stated(plan, plan_budget(plan))

    # A krona more changes no tkr figure, but the kronor totals of the list.
    assert [(d.label, d.year, d.difference) for d in discrepancies] == [
        ("Totalt Mysam", 2022, Decimal(-1)),
        ("Summa", 2022, Decimal(-1)),
    ]


def test_prints_alike_rounds_to_the_documents_unit():
    assert prints_alike(Decimal(455000), Decimal(454950), unit="tkr", decimals=1)
    assert not prints_alike(Decimal(455000), Decimal(454449), unit="tkr", decimals=1)
    assert prints_alike(Decimal(-2549000), Decimal(-2549146), unit="tkr", decimals=0)
    assert not prints_alike(Decimal(-2549000), Decimal(-2549500), unit="tkr", decimals=0)
    assert prints_alike(Decimal(1258500), Decimal(1258500), unit="tkr", decimals=1)
    assert not prints_alike(Decimal(1848000), Decimal(1848001), unit="kr", decimals=0)
    # More precise than the unit: the document printed kronor there, so kronor are compared.
    assert prints_alike(Decimal(5854905), Decimal(5854905), unit="tkr", decimals=0)
    assert not prints_alike(Decimal(5854905), Decimal(5854906), unit="tkr", decimals=0)


@pytest.mark.django_db
def test_gavleborg_result_2022_is_the_exact_deficit(demo):
    result = plan_budget(plan_of("gavleborg"))
    assert result.result == {2022: Decimal(-2549146), 2023: Decimal(0), 2024: Decimal(0)}
    assert result.cost_total[2022] == Decimal(15869146)
    assert result.revenue_total[2022] == Decimal(13320000)


@pytest.mark.django_db
def test_ostra_varmland_contributions_split_by_law(demo):
    result = plan_budget(plan_of("ostra-varmland"))
    (contributions,) = [g for g in result.groups if g.group.kind == BudgetGroup.Kind.CONTRIBUTIONS]
    assert [row.amounts[2022] for row in contributions.rows] == [
        Decimal(924000),
        Decimal(462000),
        Decimal(462000),
    ]
    assert contributions.totals[2022] == Decimal(1848000)
    assert result.result[2022] == Decimal(-110000)
    assert result.closing_equity[2022] == Decimal(214581)


@pytest.mark.django_db
def test_ornskoldsvik_revenue_rows_2020(demo):
    result = plan_budget(plan_of("ornskoldsvik"))
    (contributions,) = [g for g in result.groups if g.group.kind == BudgetGroup.Kind.CONTRIBUTIONS]
    assert [(row.label, row.amounts[2020]) for row in contributions.rows] == [
        ("Försäkringskassan/Arbetsförmedlingen", Decimal(2517000)),
        ("Region Västernorrland", Decimal(1258500)),
        ("Örnsköldsviks kommun", Decimal(1258500)),
    ]


@pytest.mark.django_db
def test_stated_contribution_rows_refer_to_the_statutory_parts(demo):
    references = {
        (figure.plan.association.slug, figure.label): figure.reference
        for figure in StatedFigure.objects.filter(target=StatedFigure.Target.CONTRIBUTION).select_related(
            "plan__association"
        )
    }
    assert references == {
        ("gavleborg", "Försäkringskassan/Arbetsförmedlingen"): "state",
        ("gavleborg", "Region Gävleborg"): "region",
        ("gavleborg", "Kommunerna"): "municipalities",
        ("ornskoldsvik", "Försäkringskassan/Arbetsförmedlingen"): "state",
        ("ornskoldsvik", "Region Västernorrland"): "region",
        ("ornskoldsvik", "Örnsköldsviks Kommun"): "municipalities",
    }


# --- The command -------------------------------------------------------------------------------------


def test_the_logins_table_lists_every_demo_user():
    table = logins_table(demo_logins())
    lines = table.splitlines()
    assert lines[0].split("|")[1].strip() == "Användarnamn"
    assert len(lines) == 2 + 1 + 4 * len(SLUGS)
    for slug in SLUGS:
        for prefix in ("chef", "ordforande", "ledamot", "lasare"):
            assert f"| {prefix}.{slug} " in table
    assert "| admin " in table and ADMIN_PASSWORD in table and DEMO_PASSWORD in table
