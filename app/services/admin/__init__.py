"""Admin: what an admin keeps for the municipality: staff and their access, teams, the
municipal settings, the log of those changes, and data retention.

Services:
- `staff_members.py`: add, edit, deactivate and reactivate staff, end their sessions,
  export the audit log.
- `team_setup.py`: teams of guides: list, create, rename.
- `municipal_settings.py`: the municipality's settings, one typed model with defaults.
- `app_settings.py`: the stored `AppSetting` rows, read once per transaction.
- `changes.py`: the log of admin changes, with the old and new value.
- `retention.py`: the worker job that deletes a young person's data after the period.

Elsewhere in the area:
- routers: `app/routers/admin.py`, `app/routers/admin_access.py`
- templates: `app/templates/admin/`, `app/templates/home/admin.html`
- catalog: `app/i18n/da/admin.po`
- demo step: `app/demo/people.py` (the municipality, its teams and staff)
- migration: `migrations/versions/0900_admin.py`
- tests: `tests/unit/test_admin_*.py`, `tests/web/test_admin_*.py`,
  `tests/browser/test_admin.py`
"""
