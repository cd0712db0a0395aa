"""`python -m bot rehearse`: a whole Emmy night played offline against the Discord stand-in.

``script`` plans the night from a ceremony file and a seed, ``runner`` plays it
with the real bot, ``feed`` shows it in the terminal, ``clock`` compresses the
show, ``ledger`` writes the event log and adds it up, ``cli`` is the command.
"""
