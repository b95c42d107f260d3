"""Budget pages of a plan, below /f/<association>/planer/<pk>/budget/: one module per page."""
