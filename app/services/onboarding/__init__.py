"""Onboarding: bringing young people in from the case system, and inviting them in bulk.

Services:
- `csv_file.py`: reading the case system's file (Danish Excel's CSV or plain CSV), pure.
- `youth_import.py`: preview, confirm and apply an import in chunks (the worker job);
  the case reference is the key, so importing the same file again changes nothing.
- `bulk_invites.py`: invite everyone not yet invited, once, at the sending rate and
  outside the quiet hours; how far the invitations got.

Elsewhere in the area:
- router: `app/routers/onboarding.py` (the guide's single invite is identity's
  `app/routers/invites.py`)
- model: `app/models/onboarding.py` (`YouthImport`), `Youth.case_ref`
- templates: `app/templates/admin/import.html`, `app/templates/admin/import_result.html`,
  `app/templates/admin/invites.html`
- catalog: `app/i18n/da/onboarding.po`
- command: `trinvis import-youth FILE [--dry-run]` (`app/cli.py`)
- migration: `migrations/versions/1020_onboarding.py`
- tests: `tests/unit/test_onboarding_*.py`, `tests/web/test_onboarding_*.py`,
  `tests/notifications/test_onboarding_*.py`, `tests/browser/test_onboarding_*.py`;
  `bench/import_youth.py`
"""
