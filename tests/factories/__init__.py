"""Factories that build the data a test needs, one module per area.

- `people.py`: teams, staff, young people, covers; `sign_in()` and `ensure_csrf()`.
- `checkins.py`: WHO-5 answers for a score, a check-in answered through the service
  (`answer_who5`) and the one stored check-in row maker (`checkin`).
- `followups.py`: a start in education or a job, registered through the service.
- `plan.py`: a young person with a step, an appointment, a note and an agenda item.
- `workspace.py`: a young person with something in every caseload column.
- `key_figures.py`: rows with exactly the dates a hand-made key-figure data set needs.
"""
