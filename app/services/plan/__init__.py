"""The plan: the young person's steps toward a destination, and what the young person
and the guide share along the way: appointments, the agenda, the calendar, notes.

Services:
- `steps.py`: the plan and its steps: add, edit, mark doing/done, reorder, delete, undo.
- `goal.py`: the destination and readiness group; the long-term plan rule.
- `history.py`: who changed what and when; the guide's plan page.
- `appointments.py`: appointments between a young person and their guide.
- `agenda.py`: what the young person wants to talk about next time.
- `calendar.py`: appointments as an `.ics` file or a personal calendar feed.
- `notes.py`: notes from the guide, shared by default, and their replies.
- `text_input.py`: input types for the area's forms.

Elsewhere in the area:
- routers: `app/routers/plan.py`, `app/routers/appointments.py`, `app/routers/notes.py`
- templates: `app/templates/plan/`, `app/templates/appointments/`, `app/templates/notes/`
- catalog: `app/i18n/da/plan.po`
- demo step: `app/demo/plan.py`
- migrations: `migrations/versions/0002_plan_steps_messages_notification_outbox.py`,
  `migrations/versions/0200_plan.py`
- tests: `tests/unit/test_plan_*.py`, `tests/web/test_plan_*.py`,
  `tests/browser/test_plan_path.py`, `tests/factories/plan.py`
"""
