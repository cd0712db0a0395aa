"""Running the lounge for real: backups, restore and the doctor (the command line of `python -m bot`)."""
