"""Commands for operators: keeping and moving an install's data.

- `backup.py`: `trinvis backup PATH`, a consistent copy of a running SQLite install.
- `move.py`: `trinvis copy-to-postgres --to URL`, every table of a SQLite install into
  an empty, migrated PostgreSQL database.
- `commands.py`: how both are registered with the `trinvis` command (app/cli.py).
The procedures around them (PostgreSQL's pg_dump, schedules, restore) are in
docs/operations.md.
"""
