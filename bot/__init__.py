"""Losers Lounge: a Discord bot for an Emmy-night party of people who did not win."""
