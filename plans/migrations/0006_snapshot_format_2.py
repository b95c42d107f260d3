"""Stored versions to the frozen document's format 2 (`plans.snapshots.upgrade`), with their association's
facts as they are at this migration (format 1 did not freeze them)."""

from django.db import migrations


def upgrade_snapshots(apps, schema_editor):
    from plans.snapshots import upgrade  # the pure dict upgrade of the app, the one place that knows it

    PlanSnapshot = apps.get_model("plans", "PlanSnapshot")
    for snapshot in PlanSnapshot.objects.select_related("plan__association").iterator():
        if snapshot.content.get("format", 1) >= 2:
            continue
        association = snapshot.plan.association
        facts = {
            "name": association.name,
            "org_number": association.org_number,
            "area": association.area,
            "website": association.website,
        }
        PlanSnapshot.objects.filter(pk=snapshot.pk).update(content=upgrade(snapshot.content, association=facts))


class Migration(migrations.Migration):
    dependencies = [("plans", "0005_recorded_event")]

    operations = [migrations.RunPython(upgrade_snapshots, migrations.RunPython.noop)]
