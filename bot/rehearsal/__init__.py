"""`python -m bot rehearse`: a whole Emmy night played offline against the Discord stand-in.

* ``script``: the night's plan, from a ceremony file and a seed (deterministic);
* ``runner``: the stand-in, the real bot on a ``clock.ScaledClock``, the pace;
* ``stage`` and ``players``: the server, the host and the members doing each event
  through slash commands, autocomplete and buttons (``replies`` reads the answers);
* ``feed``: the channels live in the terminal (rich);
* ``ledger``: the event log, and the totals it adds up to; ``finale`` checks the
  bot's own totals against them;
* ``cli``: the command; ``outputs``: the files left beside the database.
"""
