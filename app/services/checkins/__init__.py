"""Check-ins: WHO-5 and the other instruments, the young person's answers, the guide's
view of trends and alerts, and the reminders when a check-in is due.

Services:
- `instruments.py`: instruments as data (the JSON files in `app/instruments/`).
- `answering.py`: answering a check-in: validation, scoring, alerts, the result.
- `history.py`: a young person's check-ins per instrument, the curve, the next due.
- `charts.py`: the geometry of a score curve, drawn as server-side SVG.
- `guide_side.py`: the guide's side: trends, alerts to acknowledge, cadence, caseload.
- `reminders.py`: when a check-in is due, and its reminders (a worker job).

Elsewhere in the area:
- routers: `app/routers/checkins.py`
- templates: `app/templates/checkins/`, `app/templates/home/_checkin_card.html`
- catalog: `app/i18n/da/checkins.po`
- demo step: `app/demo/checkins.py`
- migration: `migrations/versions/0300_checkins.py`
- tests: `tests/unit/test_checkin_*.py`, `tests/web/test_checkin_pages.py`,
  `tests/browser/test_checkins.py`, `tests/factories/checkins.py`
"""
