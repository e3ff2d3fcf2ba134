"""The workspace: the guide's caseload and a young person's page, and the leader's team
with covers and handovers between guides.

Services:
- `caseload.py`: the guide's start page, the whole caseload at a glance, who first.
- `caseload_columns.py`: each caseload column as a subquery on the young person's row.
- `youth_page.py`: the guide's page of one young person, with a link to each area.
- `handover.py`: a young person moves to another guide, with a note.
- `team.py`: the leader's team: caseload sizes, covers, moving young people.

Elsewhere in the area:
- routers: `app/routers/workspace.py`; the caseload on `app/routers/home.py`
- templates: `app/templates/workspace/`, `app/templates/home/guide.html`
- catalog: `app/i18n/da/workspace.po`
- demo step: `app/demo/workspace.py`
- migration: `migrations/versions/0800_workspace.py`
- tests: `tests/unit/test_workspace_demo.py`, `tests/web/test_workspace_*.py`,
  `tests/browser/test_workspace.py`, `tests/factories/workspace.py`
"""
