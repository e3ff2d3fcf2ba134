"""Admin: what an admin keeps for the municipality: staff and their access, teams, the
municipal settings, the log of those changes, and data retention.

Services:
- `staff_members.py`: add, edit, deactivate and reactivate staff, end their sessions,
  export the audit log.
- `team_setup.py`: teams of guides: list, create, rename.
- `municipal_settings.py`: the municipality's settings, one typed model with defaults.
- `app_settings.py`: the stored `AppSetting` rows, read once per transaction.
- `changes.py`: the log of admin changes, with the old and new value.
- `retention.py`: the worker job that applies the retention rules (ended and inactive
  courses, the audit log, admin changes, notifications, codes), and what it does next.
- `erasure.py`: erasing one young person everywhere, by an admin now or by the job.

Elsewhere in the area:
- routers: `app/routers/admin.py`, `app/routers/admin_access.py`, `app/routers/admin_privacy.py`
- templates: `app/templates/admin/`, `app/templates/home/admin.html`
- catalog: `app/i18n/da/admin.po`
- demo step: `app/demo/people.py` (the municipality, its teams and staff)
- migration: `migrations/versions/0900_admin.py`
- tests: `tests/unit/test_admin_*.py`, `tests/web/test_admin_*.py`,
  `tests/browser/test_admin.py`
"""
