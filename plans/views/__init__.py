"""The pages of a plan: `plans` (lists, a plan, a new plan), `editor`, `review`, `pdf`."""
