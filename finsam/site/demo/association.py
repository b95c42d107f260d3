"""One demo association created from its file's data (the format is FORMAT.md)."""

from __future__ import annotations

from typing import Any

from budgets.models import (
    BudgetAmount,
    BudgetColumn,
    BudgetGroup,
    BudgetLine,
    InterventionBudgetAmount,
    StatedFigure,
)
from budgets.services.stated import STATED_REASON_MAX_LENGTH
from finsam.models import Association, BoardSeat, Organisation, StaffMember
from finsam.money import sek
from finsam.site.demo.reading import DemoDataError, create, date_or_none, kronor, text
from interventions.models import Grant, Intervention, PlanIntervention
from plans.goal_categories import goal_category_for
from plans.models import (
    ActivityItem,
    Chapter,
    CommunicationItem,
    ControlItem,
    Goal,
    Indicator,
    Plan,
    TargetGroup,
)


class AssociationLoader:
    """Creates one association from a demo file's data. Keys in the file resolve through the maps here."""

    def __init__(self, data: dict[str, Any], *, source: str):
        self.data = data
        self.source = source
        self.organisations: dict[str, Organisation] = {}
        self.interventions: dict[str, Intervention] = {}
        self.columns: dict[int, BudgetColumn] = {}
        self.groups: dict[str, BudgetGroup] = {}
        self.lines: list[BudgetLine] = []
        self.stated: list[StatedFigure] = []
        self.association: Association | None = None
        self.plan: Plan | None = None

    def fail(self, message: str):
        raise DemoDataError(f"{self.source}: {message}")

    def counts(self) -> dict[str, int]:
        return {
            "organisationer": len(self.organisations),
            "insatser": len(self.interventions),
            "budgetrader": len(self.lines),
            "angivna summor": len(self.stated),
        }

    def load(self) -> Association:
        info = self.data["association"]
        self.association = create(
            Association,
            slug=self.data["slug"],
            name=info["name"],
            org_number=text(info.get("org_number")),
            area=text(info.get("area")),
            formed_on=date_or_none(info.get("formed_on")),
            website=text(info.get("website")),
        )
        self.load_organisations()
        self.load_people()
        self.load_plan()
        self.load_interventions()
        self.load_budget()
        return self.association

    def organisation(self, key: str | None, *, where: str) -> Organisation | None:
        if key is None:
            return None
        if key not in self.organisations:
            self.fail(f"{where}: okänd organisation {key!r}.")
        return self.organisations[key]

    def load_organisations(self) -> None:
        for position, item in enumerate(self.data["organisations"]):
            if item["key"] in self.organisations:
                self.fail(f"organisationen {item['key']!r} finns två gånger.")
            self.organisations[item["key"]] = create(
                Organisation,
                association=self.association,
                name=item["name"],
                kind=item["kind"],
                is_member=item.get("is_member", True),
                position=position,
            )

    def load_people(self) -> None:
        for position, seat in enumerate(self.data.get("board", [])):
            create(
                BoardSeat,
                association=self.association,
                person_name=seat["name"],
                role=seat["role"],
                appointed_by=self.organisation(seat["organisation"], where=f"styrelsen ({seat['name']})"),
                position=position,
            )
        for position, person in enumerate(self.data.get("staff", [])):
            create(
                StaffMember,
                association=self.association,
                name=text(person.get("name")),
                title=person["title"],
                fte_percent=person.get("fte_percent"),
                position=position,
            )

    def load_plan(self) -> None:
        info = self.data["plan"]
        opening_equity = info.get("opening_equity")
        self.plan = create(
            Plan,
            association=self.association,
            title=info["title"],
            first_year=info["first_year"],
            years=info["years"],
            state=Plan.State.ADOPTED,
            adopted_on=date_or_none(info["adopted_on"]),
            minutes_reference=text(info.get("minutes_reference")),
            unit=info["unit"],
            decimals=info["decimals"],
            costs_negative=info["costs_negative"],
            opening_equity=None
            if opening_equity is None
            else sek(kronor(opening_equity, where="opening_equity")),
        )
        plan = self.plan
        for position, chapter in enumerate(info.get("chapters", [])):
            create(
                Chapter,
                plan=plan,
                heading=chapter["heading"],
                level=chapter.get("level", 1),
                kind=chapter.get("kind", Chapter.Kind.TEXT),
                body=text(chapter.get("body")),
                position=position,
            )
        goals: dict[str, Goal] = {}
        for position, item in enumerate(info.get("goals", [])):
            goal = create(
                Goal,
                plan=plan,
                category=goal_category_for(self.association, item.get("level", "")),
                title=item["title"],
                description=text(item.get("description")),
                position=position,
            )
            goals[goal.title] = goal
            for indicator_position, indicator in enumerate(item.get("indicators", [])):
                create(
                    Indicator,
                    goal=goal,
                    text=indicator["text"],
                    target=text(indicator.get("target")),
                    method=text(indicator.get("method")),
                    position=indicator_position,
                )
        for position, item in enumerate(info.get("target_groups", [])):
            create(
                TargetGroup,
                plan=plan,
                name=item["name"],
                description=text(item.get("description")),
                position=position,
            )
        for position, item in enumerate(info.get("control_items", [])):
            create(
                ControlItem,
                plan=plan,
                position=position,
                **{
                    field: text(item.get(field))
                    for field in (
                        "routine",
                        "control_step",
                        "responsible",
                        "frequency",
                        "method",
                        "reported_to",
                        "risk",
                    )
                },
            )
        for position, item in enumerate(info.get("communication_items", [])):
            create(
                CommunicationItem,
                plan=plan,
                position=position,
                **{
                    field: text(item.get(field))
                    for field in ("audience", "channel", "frequency", "responsible")
                },
            )
        for position, item in enumerate(info.get("activity_items", [])):
            goal_title = item.get("goal")
            if goal_title and goal_title not in goals:
                self.fail(f"aktiviteten {item['activity']!r} hänvisar till ett okänt mål.")
            create(
                ActivityItem,
                plan=plan,
                activity=item["activity"],
                starts_on=date_or_none(item.get("start") or item.get("starts_on")),
                done_by=date_or_none(item.get("done") or item.get("done_by")),
                goal=goals.get(goal_title) if goal_title else None,
                responsible=text(item.get("responsible")),
                position=position,
            )

    def load_interventions(self) -> None:
        for position, item in enumerate(self.data["interventions"]):
            name = item["name"]
            if name in self.interventions:
                self.fail(f"insatsen {name!r} finns två gånger.")
            where = f"insatsen {name!r}"
            intervention = create(
                Intervention,
                association=self.association,
                name=name,
                short_name=text(item.get("short_name")),
                kind=item["kind"],
                status=item["status"],
                owner=self.organisation(item.get("owner"), where=where),
                start_date=date_or_none(item.get("start")),
                end_date=date_or_none(item.get("end")),
                group=text(item.get("group")),
                municipality=self.organisation(item.get("municipality"), where=where),
                capacity=text(item.get("capacity")),
                **{
                    field: text(item.get(field))
                    for field in (
                        "purpose",
                        "target_group",
                        "goals_short",
                        "goals_long",
                        "actions",
                        "follow_up",
                        "steering",
                        "implementation",
                    )
                },
            )
            intervention.partners.set(
                [self.organisation(key, where=where) for key in item.get("partners", [])]
            )
            for year, amount in item.get("grants", {}).items():
                create(
                    Grant,
                    intervention=intervention,
                    year=int(year),
                    amount=sek(kronor(amount, where=f"{where}, beviljat {year}")),
                )
            create(PlanIntervention, plan=self.plan, intervention=intervention, position=position)
            self.interventions[name] = intervention

    def column(self, year: str | int, *, where: str) -> BudgetColumn:
        if int(year) not in self.columns:
            self.fail(f"{where}: året {year} är ingen kolumn i budgeten.")
        return self.columns[int(year)]

    def load_budget(self) -> None:
        budget = self.data["plan"]["budget"]
        contributions = budget.get("contributions", {})
        for item in budget["columns"]:
            year = item["year"]
            total = contributions.get(str(year))
            self.columns[year] = create(
                BudgetColumn,
                plan=self.plan,
                year=year,
                kind=item["kind"],
                contributions_total=None
                if total is None
                else sek(kronor(total, where=f"medlemsavgifter {year}")),
            )
        for year in contributions:
            self.column(year, where="medlemsavgifter")

        for position, item in enumerate(budget["groups"]):
            name = item["name"]
            if name in self.groups:
                self.fail(f"budgetgruppen {name!r} finns två gånger.")
            if item["kind"] == BudgetGroup.Kind.CONTRIBUTIONS and item.get("lines"):
                self.fail(f"gruppen {name!r} räknas fram ur medlemsavgifterna och kan inte ha rader.")
            group = create(
                BudgetGroup,
                plan=self.plan,
                section=item["section"],
                kind=item["kind"],
                name=name,
                collapsed=item.get("collapsed", False),
                position=position,
            )
            self.groups[name] = group
            for line_position, line_item in enumerate(item.get("lines", [])):
                line = create(
                    BudgetLine,
                    group=group,
                    name=line_item["name"],
                    undecided=line_item.get("undecided", False),
                    position=line_position,
                )
                self.lines.append(line)
                for year, amount in line_item.get("amounts", {}).items():
                    where = f"raden {line.name!r} {year}"
                    create(
                        BudgetAmount,
                        line=line,
                        column=self.column(year, where=where),
                        amount=sek(kronor(amount, where=where)),
                    )

        for item in budget.get("budgeted", []):
            intervention = self.find_intervention(item["intervention"], where="budgeterat belopp")
            for year, amount in item["amounts"].items():
                where = f"budgeterat belopp för {intervention.name!r} {year}"
                create(
                    InterventionBudgetAmount,
                    column=self.column(year, where=where),
                    intervention=intervention,
                    amount=sek(kronor(amount, where=where)),
                )

        for item in budget.get("stated", []):
            target_fields = self.stated_target(item)
            dismissed = self.stated_dismissals(item)
            for year, amount in item["amounts"].items():
                where = f"summan {item['label']!r} {year}"
                self.stated.append(
                    create(
                        StatedFigure,
                        plan=self.plan,
                        column=self.column(year, where=where),
                        label=item["label"],
                        amount=sek(kronor(amount, where=where)),
                        position=len(self.stated),
                        **target_fields,
                        **dismissed.get(year, {}),
                    )
                )

    def stated_dismissals(self, item: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """A stated row's years the chief marked as the document's own error (`dismissed`: year -> reason
        and whether the note prints under the table), as `StatedFigure` fields per year."""
        where = f"summan {item['label']!r}"
        dismissed = item.get("dismissed") or {}
        if not isinstance(dismissed, dict):
            self.fail(f"{where}: 'dismissed' ska vara år -> {{reason, print_note}}.")
        fields = {}
        for year, judgement in dismissed.items():
            if year not in item["amounts"]:
                self.fail(f"{where}: {year} är markerat som dokumentets eget fel men har inget belopp.")
            reason = judgement.get("reason") if isinstance(judgement, dict) else None
            print_note = judgement.get("print_note", False) if isinstance(judgement, dict) else None
            if not isinstance(reason, str) or not reason.strip() or len(reason) > STATED_REASON_MAX_LENGTH:
                self.fail(f"{where} {year}: dokumentets eget fel behöver en motivering (högst 1 000 tecken).")
            if not isinstance(print_note, bool):
                self.fail(f"{where} {year}: 'print_note' ska vara true eller false.")
            fields[year] = {"dismissed_reason": reason.strip(), "print_note": print_note}
        return fields

    def stated_target(self, item: dict[str, Any]) -> dict[str, Any]:
        """What a stated row refers to: the target plus its group/line/intervention/organisation/reference."""
        target = item["target"]
        where = f"summan {item['label']!r}"
        fields: dict[str, Any] = {"target": target, "reference": ""}
        match target:
            case StatedFigure.Target.GROUP:
                name = item.get("group")
                if name not in self.groups:
                    self.fail(f"{where}: okänd budgetgrupp {name!r}.")
                fields.update(group=self.groups[name], reference=name)
            case StatedFigure.Target.CONTRIBUTION:
                fields.update(self.contribution_target(item.get("organisation"), where=where))
            case StatedFigure.Target.INTERVENTION:
                fields["intervention"] = self.find_intervention(item.get("intervention"), where=where)
            case StatedFigure.Target.INTERVENTION_GROUP:
                name = item.get("group")
                if not any(i.group == name for i in self.interventions.values()):
                    self.fail(f"{where}: ingen insats hör till gruppen {name!r}.")
                fields["reference"] = name
            case StatedFigure.Target.LINE:
                name = item.get("line") or item["label"]
                group_name = item.get("group")
                lines = [
                    line
                    for line in self.lines
                    if line.name == name and (group_name is None or line.group.name == group_name)
                ]
                if len(lines) != 1:
                    self.fail(f"{where}: raden {name!r} finns inte eller är inte entydig.")
                fields.update(line=lines[0], group=lines[0].group, reference=name)
            case (
                StatedFigure.Target.REVENUE
                | StatedFigure.Target.COSTS
                | StatedFigure.Target.RESULT
                | StatedFigure.Target.REVENUE_BEFORE_FINANCIAL
                | StatedFigure.Target.COSTS_BEFORE_FINANCIAL
                | StatedFigure.Target.RESULT_BEFORE_FINANCIAL
                | StatedFigure.Target.FINANCIAL_NET
            ):
                pass
            case StatedFigure.Target.INTERVENTIONS_TOTAL:
                pass
            case _:
                self.fail(f"{where}: okänt mål {target!r}.")
        return fields

    def find_intervention(self, name: str | None, *, where: str) -> Intervention:
        if name in self.interventions:
            return self.interventions[name]
        by_label = [i for i in self.interventions.values() if i.short_name and i.short_name == name]
        if len(by_label) != 1:
            self.fail(f"{where}: okänd insats {name!r}.")
        return by_label[0]

    def contribution_target(self, key: str | None, *, where: str) -> dict[str, Any]:
        """A stated contribution row names an organisation key or one of the pseudo-keys state/region/
        municipalities. The reference says which computed part it is: the state's 50 %, the region's 25 %,
        the municipalities' 25 % (also when the only municipality is named) or one municipality's part."""
        if key in ("state", "region", "municipalities"):
            return {"reference": key}
        organisation = self.organisation(key, where=where)
        if organisation is None:
            self.fail(f"{where}: medlemsavgiften anger ingen organisation.")
        members = [org for org in self.organisations.values() if org.is_member]
        municipalities = [org for org in members if org.kind == Organisation.Kind.MUNICIPALITY]
        match organisation.kind:
            case Organisation.Kind.STATE:
                reference = "state"
            case Organisation.Kind.REGION:
                reference = "region"
            case Organisation.Kind.MUNICIPALITY if municipalities == [organisation]:
                reference = "municipalities"
            case Organisation.Kind.MUNICIPALITY:
                reference = "municipality"
            case _:
                self.fail(f"{where}: {organisation.name} betalar ingen medlemsavgift.")
        return {"organisation": organisation, "reference": reference}
