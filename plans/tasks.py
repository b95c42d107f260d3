"""Background tasks of the plans app (django.tasks; `manage.py db_worker` runs them).

The task is defined beside the code it runs (`plans.pdf`); this module keeps the name under which tasks
queued by earlier versions were stored.
"""

from plans.pdf import render_plan_pdf

__all__ = ["render_plan_pdf"]
