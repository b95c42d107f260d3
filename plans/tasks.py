"""Background tasks of the plans app (django.tasks; `manage.py db_worker` runs them)."""

from django.tasks import task


@task
def render_plan_pdf(*, pdf_id: int) -> str:
    """Render one queued PlanPdf and store it; returns its final status ("done" or "failed")."""
    from plans.pdf import plan_pdf_run  # plans.pdf imports this module in turn

    return plan_pdf_run(pdf_id=pdf_id)
