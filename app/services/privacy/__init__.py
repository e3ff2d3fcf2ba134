"""Privacy: what the young person is told, what they can see and take of their own data,
and who has seen it.

Services:
- `notices.py`: the privacy notice (*privatlivspolitik*, GDPR art. 13/14) and the
  accessibility statement (*tilgængelighedserklæring*): Trinvis' part, the
  municipality's part (`NoticeSettings` in `app/services/admin/municipal_settings.py`)
  and the retention periods read from the settings in force.
- `record.py`: the young person's whole record (GDPR art. 15): every table that refers
  to them, as JSON; a table left out says why in `EXCLUDED`.
- `readable.py`: the same record for people: question texts, names and roles, dates.
- `seen.py`: "Hvem har set mine data": repeated views grouped per day, a page at a time.
- `welcome.py`: the first page after an invite or a first sign-in: what Trinvis is for,
  who the guide is.

Elsewhere in the area:
- router: `app/routers/privacy.py`
- templates: `app/templates/privacy/`
- demo step: `app/demo/privacy.py`
- catalog: `app/i18n/da/privacy.po`
- tests: `tests/unit/test_privacy_*.py`, `tests/web/test_privacy_*.py`,
  `tests/browser/test_privacy_notices.py`
"""
