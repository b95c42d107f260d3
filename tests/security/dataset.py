"""Two associations for the security tests, each with a marker string in every text field.

`seed_world("alfa")` and `seed_world("beta")` build one association each: member organisations, board,
staff, one user per role, a draft plan and an adopted plan with every kind of part, interventions with
grants, a budget, history. Then every model of the backup apps that still has no row in the association
(a model another engineer added later: comments, stances, snapshots, PDFs...) gets one, built generically
from its fields, and finally every free-text field of every row of the association is prefixed with
the association's marker ("MARKER-ALFA-…"). A response to one association's users that contains the
other's marker is a leak.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from djmoney.models.fields import CurrencyField, MoneyField
from djmoney.money import Money

from budgets.followup import plan_followup
from budgets.models import (
    BudgetAmount,
    BudgetColumn,
    BudgetGroup,
    BudgetLine,
    ContributionKeyFactor,
    ContributionKeyValue,
    ContributionOverride,
    ImportReading,
    InterventionBudgetAmount,
    StatedFigure,
)
from budgets.services.followup import followup_forecast_update, followup_outcome_update
from budgets.services.outcome_import import outcome_mapping_set
from finsam.models import Association, BoardSeat, Invitation, Membership, Organisation, StaffMember
from finsam.site.backup import association_paths
from interventions.models import (
    Grant,
    Intervention,
    InterventionInvitation,
    InterventionYear,
    PlanIntervention,
)
from plans.gateway import plan_event_record
from plans.goal_categories import goal_category_for
from plans.models import (
    ActivityItem,
    Chapter,
    CommunicationItem,
    ControlItem,
    Goal,
    Indicator,
    Plan,
    PlanEvent,
    PlanSnapshot,
    TargetGroup,
)
from plans.pdf import plan_pdf_request
from plans.review import plan_record_ensure
from plans.snapshots import snapshot_content

MARKERS = {"alfa": "MARKER-ALFA", "beta": "MARKER-BETA"}
ROLES = ("chief", "chair", "board", "reader", "intervention_owner")
PASSWORD = "secret-pass-123"

# Text fields whose value other code matches against names (left as they are).
# A follow-up row's key (budgets.followup.row_key) names a budget row the way an id does.
UNMARKED_FIELDS = {"slug", "reference", "username", "password", "email", "row"}


@dataclass
class World:
    key: str
    marker: str
    association: Association
    users: dict[str, object]
    draft: Plan
    adopted: Plan
    # model_name -> an object of the association; objects inside a plan come from the draft plan.
    objects: dict[str, models.Model] = field(default_factory=dict)
    # the same for the adopted plan
    adopted_objects: dict[str, models.Model] = field(default_factory=dict)
    generic_failures: list[str] = field(default_factory=list)


def _plan_content(plan: Plan, orgs: dict[str, Organisation], interventions: list[Intervention]) -> None:
    kinds = [kind for kind, _label in Chapter.Kind.choices]
    Chapter.objects.create(plan=plan, heading="Inledning", body="Text med **fetstil**.", position=0)
    for position, kind in enumerate(kinds, start=1):
        if kind == Chapter.Kind.TEXT:
            continue
        Chapter.objects.create(
            plan=plan, heading=f"Del {kind}", kind=kind, body="Inledande text.", position=position
        )
    goal = Goal.objects.create(plan=plan, title="Mål", description="Beskrivning", position=0)
    Goal.objects.create(
        plan=plan,
        title="Finansiellt mål",
        category=goal_category_for(plan.association, "financial"),
        position=1,
    )
    Indicator.objects.create(goal=goal, text="Indikator", target="minst 50 %", method="Enkät")
    TargetGroup.objects.create(plan=plan, name="Unga vuxna", description="16–29 år")
    ControlItem.objects.create(
        plan=plan,
        routine="Attest",
        control_step="Stickprov",
        responsible="Chef",
        frequency="År",
        method="Granskning",
        reported_to="Styrelsen",
        risk="Låg",
    )
    CommunicationItem.objects.create(
        plan=plan, audience="Medlemmar", channel="Nyhetsbrev", frequency="Kvartal", responsible="Chef"
    )
    ActivityItem.objects.create(
        plan=plan,
        activity="Workshop",
        starts_on=datetime.date(plan.first_year, 2, 1),
        done_by=datetime.date(plan.first_year, 3, 1),
        goal=goal,
        responsible="Chef",
    )
    kinds_by_offset = [BudgetColumn.Kind.BUDGET, BudgetColumn.Kind.PLAN, BudgetColumn.Kind.PLAN]
    columns = [
        BudgetColumn.objects.create(
            plan=plan, year=plan.first_year + offset, kind=kind, contributions_total=Money(4_000_000, "SEK")
        )
        for offset, kind in enumerate(kinds_by_offset)
    ]
    contributions = BudgetGroup.objects.create(
        plan=plan,
        section=BudgetGroup.Section.REVENUE,
        kind=BudgetGroup.Kind.CONTRIBUTIONS,
        name="Medlemsavgifter",
    )
    admin = BudgetGroup.objects.create(
        plan=plan,
        section=BudgetGroup.Section.COSTS,
        kind=BudgetGroup.Kind.ADMINISTRATION,
        name="Administration",
        position=1,
    )
    decided = BudgetGroup.objects.create(
        plan=plan,
        section=BudgetGroup.Section.COSTS,
        kind=BudgetGroup.Kind.INTERVENTIONS_DECIDED,
        name="Beslutade insatser",
        position=2,
    )
    line = BudgetLine.objects.create(group=admin, name="Förbundschef")
    BudgetLine.objects.create(group=decided, name="Övrig insatskostnad")
    for column in columns:
        BudgetAmount.objects.create(line=line, column=column, amount=Money(900_000, "SEK"))
    factor = ContributionKeyFactor.objects.create(plan=plan, name="Befolkning 16–64", weight_percent=100)
    ContributionKeyValue.objects.create(factor=factor, organisation=orgs["kommun1"], value=10_000)
    ContributionKeyValue.objects.create(factor=factor, organisation=orgs["kommun2"], value=20_000)
    ContributionOverride.objects.create(
        column=columns[0],
        part=ContributionOverride.Part.MUNICIPALITY,
        organisation=orgs["kommun1"],
        amount=Money(300_000, "SEK"),
        reason="Avtal",
    )
    StatedFigure.objects.create(
        plan=plan,
        column=columns[0],
        label="Summa kostnader",
        target=StatedFigure.Target.COSTS,
        amount=Money(1_500_000, "SEK"),
    )
    StatedFigure.objects.create(
        plan=plan,
        column=columns[0],
        label="Administration",
        target=StatedFigure.Target.GROUP,
        reference=admin.name,
        group=admin,
        amount=Money(900_000, "SEK"),
        dismissed_reason="Summeringsfel i det antagna dokumentet.",
        print_note=True,
    )
    for position, intervention in enumerate(interventions):
        PlanIntervention.objects.create(plan=plan, intervention=intervention, position=position)
    InterventionBudgetAmount.objects.create(
        column=columns[0], intervention=interventions[0], amount=Money(260_000, "SEK")
    )
    del contributions


def _followup(plan: Plan, chief) -> None:
    rows = plan_followup(plan).rows
    keys = {row.row.kind: key for key, row in reversed(list(rows.items()))}  # the first row of each kind
    for kind, amount in (("contribution", 1_000_000), ("intervention", 80_000)):
        followup_outcome_update(
            plan=plan,
            row=keys[kind],
            label=kind,
            period=1,
            amount=decimal.Decimal(amount),
            expected_version=0,
            by=chief,
        )
    followup_forecast_update(
        plan=plan,
        row=keys["line"],
        label="line",
        amount=decimal.Decimal(950_000),
        comment="Prognos",
        expected_version=0,
        by=chief,
    )
    # The outcome import's account mapping: an account to the intervention, a project's part to the line.
    outcome_mapping_set(
        association=plan.association, account="6550", dimension="", code="", row=keys["intervention"]
    )
    outcome_mapping_set(
        association=plan.association, account="7010", dimension="6", code="P1", row=keys["line"]
    )


def seed_world(key: str, *, with_pdfs: bool = False) -> World:
    marker = MARKERS[key]
    User = get_user_model()
    association = Association.objects.create(
        name=f"Samordningsförbundet {key}",
        slug=f"sec-{key}",
        org_number="222000-2063",
        area="Område",
        formed_on=datetime.date(2005, 1, 1),
        publish_adopted_plans=True,
    )
    orgs = {
        "state": Organisation.objects.create(
            association=association, name="Försäkringskassan", kind=Organisation.Kind.STATE, position=0
        ),
        "region": Organisation.objects.create(
            association=association, name="Region", kind=Organisation.Kind.REGION, position=1
        ),
        "kommun1": Organisation.objects.create(
            association=association, name="Kommun ett", kind=Organisation.Kind.MUNICIPALITY, position=2
        ),
        "kommun2": Organisation.objects.create(
            association=association, name="Kommun två", kind=Organisation.Kind.MUNICIPALITY, position=3
        ),
        "partner": Organisation.objects.create(
            association=association, name="Polisen", kind=Organisation.Kind.OTHER, is_member=False, position=4
        ),
    }
    BoardSeat.objects.create(
        association=association,
        person_name="Anna Ordförande",
        role=BoardSeat.Role.CHAIR,
        appointed_by=orgs["region"],
    )
    BoardSeat.objects.create(association=association, person_name="Bo Ledamot", appointed_by=orgs["kommun1"])
    StaffMember.objects.create(association=association, name="Cecilia", title="Förbundschef", fte_percent=100)
    users = {}
    for role in ROLES:
        user = User.objects.create_user(
            username=f"{key}-{role}",
            email=f"{key}-{role}@example.se",
            password=PASSWORD,
            first_name="Förnamn",
            last_name="Efternamn",
        )
        Membership.objects.create(user=user, association=association, role=role)
        users[role] = user
    # A pending invitation (not in the backup, so not found by the generic filler and the collector).
    invitation = Invitation.objects.create(
        association=association,
        email=f"{key}-inbjuden@example.se",
        role=Membership.Role.BOARD,
        token_hash=hashlib.sha256(key.encode()).hexdigest(),
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    interventions = []
    for number, status in enumerate([Intervention.Status.GRANTED, Intervention.Status.UNDECIDED]):
        intervention = Intervention.objects.create(
            association=association,
            name=f"Insats {number}",
            short_name=f"I{number}",
            status=status,
            owner=orgs["kommun1"],
            municipality=orgs["kommun2"],
            start_date=datetime.date(2026, 1, 1),
            end_date=datetime.date(2029, 12, 31),
            group="Grupp",
            capacity="20 deltagare",
            purpose="Syfte",
            target_group="Målgrupp",
            goals_short="Kort",
            goals_long="Lång",
            actions="Åtgärder",
            follow_up="Uppföljning",
            steering="Styrning",
            implementation="Implementering",
        )
        intervention.partners.set([orgs["kommun1"], orgs["region"], orgs["partner"]])
        for year in (2026, 2027, 2028, 2029):
            Grant.objects.create(intervention=intervention, year=year, amount=Money(250_000, "SEK"))
        interventions.append(intervention)
    # A pending insats owner invitation for the first insats (not in the backup either), to withdraw.
    owner_invitation = InterventionInvitation.objects.create(
        intervention=interventions[0],
        invitation=Invitation.objects.create(
            association=association,
            email=f"{key}-insatsansvarig@example.se",
            role=Membership.Role.INTERVENTION_OWNER,
            token_hash=hashlib.sha256(f"{key}-insatsansvarig".encode()).hexdigest(),
            expires_at=timezone.now() + datetime.timedelta(days=7),
        ),
    )

    adopted = Plan.objects.create(
        association=association,
        title="Verksamhetsplan 2026",
        first_year=2026,
        state=Plan.State.ADOPTED,
        adopted_on=datetime.date(2025, 11, 27),
        minutes_reference="§39",
        opening_equity=Money(800_000, "SEK"),
        deficit_explanation="Förklaring",
    )
    _plan_content(adopted, orgs, interventions)
    draft = Plan.objects.create(
        association=association,
        title="Verksamhetsplan 2027",
        first_year=2027,
        rolled_over_from=adopted,
        opening_equity=Money(900_000, "SEK"),
        deficit_explanation="Förklaring",
    )
    _plan_content(draft, orgs, interventions)
    for plan in (adopted, draft):
        plan_event_record(
            plan=plan,
            user=users["chief"],
            action=PlanEvent.Action.CREATED,
            summary="Skapade planen",
            details={"note": "detalj"},
        )
        plan_event_record(
            plan=plan, user=users["chair"], action=PlanEvent.Action.COMMENTED, summary="Kommentar"
        )

    # The insatser's follow-up of the adopted plan's year (one per insats and year, so made here); the
    # insats owner reports every insats.
    for intervention in interventions:
        intervention.reporters.add(users["intervention_owner"])
        InterventionYear.objects.create(
            intervention=intervention, year=adopted.first_year, actual_women=3, report=f"{marker} rapport"
        )
    # The adopted plan's version of record, as a plan loaded adopted gets it (frozen, archive queued).
    plan_record_ensure(plan=adopted)
    # A reading of an imported table the chief confirmed (one per association and key, so made here).
    ImportReading.objects.create(association=association, kind="row", key=f"{marker} rad", value="line")
    # The adopted year's follow-up: outcome of a contribution row and an intervention, a line's forecast.
    _followup(adopted, users["chief"])
    # The draft was sent once and taken back: it has a frozen version too (every plan model has a row).
    PlanSnapshot.objects.create(plan=draft, number=1, content=snapshot_content(draft))
    if not with_pdfs:  # a queued PDF of the draft too, so that every PDF route has an object of each plan
        plan_pdf_request(plan=draft, by=users["chief"])
    world = World(key=key, marker=marker, association=association, users=users, draft=draft, adopted=adopted)
    _fill_missing_models(world, skip={"plans.PlanPdf"} if with_pdfs else set())
    _apply_markers(world)
    if with_pdfs:
        _render_pdfs(world)
    _collect_objects(world)
    world.objects["invitation"] = world.adopted_objects["invitation"] = invitation
    world.objects["interventioninvitation"] = world.adopted_objects["interventioninvitation"] = (
        owner_invitation
    )
    return world


def _render_pdfs(world: World) -> None:
    """Real PDFs of both plans (after the markers, so that the PDFs contain them), rendered once here
    so that the PDF views serve stored files instead of rendering in every request."""
    from plans import pdf

    for plan, request in ((world.draft, pdf.plan_pdf_request), (world.adopted, pdf.plan_pdf_archive)):
        plan.refresh_from_db()
        queued = request(plan=plan, by=world.users["chief"])
        # Tasks are queued on commit, which never comes inside a test transaction: run it here.
        pdf.plan_pdf_run(pdf_id=queued.pk)


# --- Generic rows for models added by others --------------------------------------------------------


def _plan_of(obj) -> Plan | None:
    """The plan an object belongs to, following foreign keys, or None for association-level objects."""
    seen = 0
    while obj is not None and seen < 10:
        if isinstance(obj, Plan):
            return obj
        parent = None
        for fk in obj._meta.concrete_fields:
            if (
                isinstance(fk, models.ForeignKey)
                and not fk.null
                and fk.remote_field.model not in (Association, get_user_model())
            ):
                parent = getattr(obj, fk.name)
                break
        obj = parent
        seen += 1
    return None


def _rows_of(model, world: World, paths):
    return model._default_manager.filter(**{paths[model]: world.association}).order_by("pk")


def _generic_value(model_field: models.Field, world: World, paths, plan: Plan):
    if isinstance(model_field, models.ForeignKey):
        target = model_field.remote_field.model
        if target is get_user_model():
            return world.users["chief"]
        if target is Association:
            return world.association
        if target is Plan:
            return plan
        rows = _rows_of(target, world, paths)
        in_plan = [row for row in rows if _plan_of(row) in (None, plan)]
        if model_field.null:
            # Optional links (a reply's parent, a version) only within the same plan, never across.
            return None if target is model_field.model else (in_plan[0] if in_plan else None)
        return in_plan[0] if in_plan else rows.first()
    if model_field.choices:
        return model_field.choices[0][0]
    if isinstance(model_field, MoneyField):
        return Money(1000, "SEK")
    if isinstance(model_field, CurrencyField):
        return "SEK"
    if isinstance(model_field, models.JSONField):
        return {"text": world.marker}
    if isinstance(model_field, models.FileField):
        return f"security/{world.key}.pdf"
    if isinstance(model_field, models.CharField | models.TextField):
        return world.marker
    if isinstance(model_field, models.BooleanField):
        return False
    if isinstance(model_field, models.DecimalField):
        return decimal.Decimal(1)
    if isinstance(model_field, models.IntegerField):
        return 1
    if isinstance(model_field, models.DateTimeField):
        return timezone.now()
    if isinstance(model_field, models.DateField):
        return datetime.date(world.draft.first_year, 1, 1)
    if isinstance(model_field, models.UUIDField):
        import uuid

        return uuid.uuid4()
    if isinstance(model_field, models.BinaryField):
        return world.marker.encode()
    return None


def _fill_missing_models(world: World, skip: set[str]) -> None:
    """One row, built from the field types, for every backup model that has none in the association."""
    paths = association_paths()
    for model in paths:
        if model._meta.label in skip or _rows_of(model, world, paths).exists():
            continue
        for plan in (world.draft, world.adopted):
            values = {}
            for model_field in model._meta.concrete_fields:
                if model_field.primary_key or model_field.generated:
                    continue
                if isinstance(model_field, CurrencyField):
                    continue
                has_default = (
                    model_field.has_default()
                    or getattr(model_field, "auto_now", False)
                    or getattr(model_field, "auto_now_add", False)
                )
                if has_default and not isinstance(model_field, models.CharField | models.TextField):
                    continue
                if model_field.null and not isinstance(model_field, models.ForeignKey | models.CharField):
                    continue
                values[model_field.name] = _generic_value(model_field, world, paths, plan)
            try:
                with transaction.atomic():
                    obj = model(**values)
                    obj.save_base(force_insert=True)
            except (IntegrityError, ValueError, TypeError) as error:
                world.generic_failures.append(f"{model._meta.label}: {error}")


# --- Markers ----------------------------------------------------------------------------------------


def _marked(value: str, marker: str, number: int, max_length: int | None) -> str:
    text = f"{marker}-{number} {value}"
    return text[:max_length] if max_length else text


def _apply_markers(world: World) -> None:
    """Prefix every free-text field of every row of the association with the marker."""
    paths = association_paths()
    targets = [(Association, Association.objects.filter(pk=world.association.pk))]
    targets += [(model, _rows_of(model, world, paths)) for model in paths]
    counter = 0
    for model, queryset in targets:
        text_fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and not isinstance(f, models.SlugField | models.EmailField | models.URLField | CurrencyField)
            and f.name not in UNMARKED_FIELDS
            and not f.primary_key
        ]
        json_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]
        for row in queryset:
            changes = {}
            for text_field in text_fields:
                counter += 1
                current = getattr(row, text_field.attname) or ""
                changes[text_field.attname] = _marked(current, world.marker, counter, text_field.max_length)
            for json_field in json_fields:
                value = getattr(row, json_field.attname)
                if isinstance(value, dict):
                    changes[json_field.attname] = {**value, "marker": world.marker}
            if changes:
                model._default_manager.filter(pk=row.pk).update(**changes)
    for user in world.users.values():
        get_user_model().objects.filter(pk=user.pk).update(first_name=f"{world.marker}-användare")


def _collect_objects(world: World) -> None:
    """For each model, the first row of the association, inside the draft plan and inside the adopted."""
    paths = association_paths()
    world.objects["association"] = world.association
    world.adopted_objects["association"] = world.association
    for model in paths:
        name = model._meta.model_name
        for row in _rows_of(model, world, paths):
            if name in world.objects and name in world.adopted_objects:
                break  # the first of each is found: the rows after it would change nothing
            plan = _plan_of(row)
            if plan is None:
                world.objects.setdefault(name, row)
                world.adopted_objects.setdefault(name, row)
            elif plan.pk == world.draft.pk:
                world.objects.setdefault(name, row)
            elif plan.pk == world.adopted.pk:
                world.adopted_objects.setdefault(name, row)
    world.objects["plan"] = world.draft
    world.adopted_objects["plan"] = world.adopted
    world.association.refresh_from_db()
    world.draft.refresh_from_db()
    world.adopted.refresh_from_db()
