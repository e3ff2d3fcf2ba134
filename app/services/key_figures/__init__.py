"""The leaders' key-figure report (nøgletal): aggregates only, small cells suppressed.

Services:
- `definitions.py`: what each figure is (label, definition text, unit, reference).
- `period.py` and `scope.py`: the period asked for, and the team or municipality.
- `compute.py` with `followed.py`, `courses.py`, `wellbeing.py`, `followups.py` and
  `staff.py`: the figures counted in the database.
- `cells.py` and `suppression.py`: from raw figures to cells a leader may see, small
  cells and whatever would give them away hidden.
- `differencing.py`: the cells hidden because another report the leader can get follows
  a group of young people only 1-4 apart.
- `report.py`: the report the page and the CSV both get (`key_figure_report`).
- `charts.py`: the bars; `export.py`: the CSV.

Elsewhere in the area (the "reports" area):
- routers: `app/routers/reports.py`
- templates: `app/templates/reports/`
- catalog: `app/i18n/da/reports.po`
- migration: `migrations/versions/0910_report_indexes.py`
- tests: `tests/unit/test_key_figures_*.py`, `tests/web/test_reports.py`,
  `tests/browser/test_reports.py`, `tests/factories/key_figures.py`
- benchmark: `bench/report.py`
"""
