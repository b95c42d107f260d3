"""Every write to a plan's budget: cells, columns, lines and groups (the grid), the amounts budgeted for
interventions instead of their grants, and the member contributions (the key that splits the municipalities' 25 %, and the chief's overrides of a computed part), and the stated figures (corrected, removed or dismissed as
the document's own error).

Every function is one user action through the plan's write gateway (`plans.gateway.plan_change`: one
transaction, a locked plan refused, one `PlanEvent` recorded). Input is checked first (Swedish
`ValidationError`, nothing saved). A value the user edited is saved only if nobody changed it since they
saw it: rows carry a version (`expected_version`, `StaleVersion` on a conflict); the contribution key, a
list replaced as a whole, is compared by its fingerprint (`key_fingerprint`), and the overrides with the
totals they replace parts of by theirs (`overrides_fingerprint`). Amounts are whole kronor `Decimal`s
(costs positive), as `finsam.money` reads them; a cell of `None` is an empty cell. The budget itself is
computed in `budgets.calc`; the import's writes are in `budgets.imports.apply`.
"""

from budgets.services.cells import (
    CellWrite,
    budget_cell_update,
    budget_cells_update,
    intervention_budget_update,
)
from budgets.services.contributions import (
    contribution_key_set,
    contribution_override_clear,
    contribution_override_set,
    key_fingerprint,
    overrides_fingerprint,
)
from budgets.services.grid import (
    DOWN,
    UP,
    budget_column_add,
    budget_column_remove,
    budget_column_update,
    budget_group_add,
    budget_group_move,
    budget_group_remove,
    budget_group_update,
    budget_line_add,
    budget_line_move,
    budget_line_remove,
    budget_line_update,
)
from budgets.services.stated import (
    stated_figure_correct,
    stated_figure_dismiss,
    stated_figure_remove,
    stated_figure_restore,
)
from budgets.services.undo import UNDO_LIMIT, UndoRefused, UndoStep, budget_undo, undo_offer

__all__ = [
    "DOWN",
    "UNDO_LIMIT",
    "UP",
    "CellWrite",
    "UndoRefused",
    "UndoStep",
    "budget_cell_update",
    "budget_cells_update",
    "budget_column_add",
    "budget_column_remove",
    "budget_column_update",
    "budget_group_add",
    "budget_group_move",
    "budget_group_remove",
    "budget_group_update",
    "budget_line_add",
    "budget_line_move",
    "budget_line_remove",
    "budget_line_update",
    "budget_undo",
    "contribution_key_set",
    "contribution_override_clear",
    "contribution_override_set",
    "intervention_budget_update",
    "key_fingerprint",
    "overrides_fingerprint",
    "stated_figure_correct",
    "stated_figure_dismiss",
    "stated_figure_remove",
    "stated_figure_restore",
    "undo_offer",
]
