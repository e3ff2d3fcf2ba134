"""Follow-ups after a start in education or a job: the practice's *eftervend* (no English
word fits; the code says follow-ups).

Services:
- `enrollments.py`: starts, their follow-up settings, and how a course ends.
- `schedule.py`: when follow-ups fall due (working days, 09:00 Copenhagen time).
- `prompts.py`: the young person's prompt on the due day, their answer, the worker job.
- `flags.py`: dropout-risk flags (a worried answer, silence, a fall in well-being).
- `call_list.py`: the guide's call list and the calls made.

Elsewhere in the area:
- routers: `app/routers/followups.py`
- templates: `app/templates/followups/`, `app/templates/home/_followup_card.html`
- catalog: `app/i18n/da/followups.po`
- demo step: `app/demo/followups.py`
- migration: `migrations/versions/0600_eftervend.py`
- key figures: `app/services/key_figures/followups.py`
- tests: `tests/unit/test_followup_*.py`, `tests/web/test_followups.py`,
  `tests/browser/test_followups.py`, `tests/factories/followups.py`
"""
