"""Bringing a budget table into a plan: `files` (an upload to text), `table` (the parsed table and its
words), `parse` (text to a `ParsedBudget`), `classify` (what each row is), `report` (what the import gives
and its deviations) and `apply` (the write, through the plan's gateway, and the preview)."""
