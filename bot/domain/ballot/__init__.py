"""The ballot: a member's picks for a whole ceremony in one place (`/ballot`)."""
