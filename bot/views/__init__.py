"""Discord-side pieces of the ceremony, results and losers commands: the replies
they render, their autocomplete callbacks, and the persistent buttons (which keep
working after a restart because their state lives in the custom_id)."""
