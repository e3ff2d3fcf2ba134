"""Domain logic, one package per area. No FastAPI imports here.

Each function takes the session and (keyword-only) the acting user and `now`, checks
what that user may do, does the work and only flushes: the request commits.

Areas (each package's `__init__.py` names its modules, routers, templates, catalog, demo
step, migration and tests; `ARCHITECTURE.md` has them in one table):
`identity/`, `plan/`, `checkins/`, `messages/`, `followups/` (eftervend), `workspace/`,
`admin/`, `key_figures/` (the leaders' report).

Across areas:
- `client_keys.py`: the one rule for client keys (`ClientKey`, `new_client_key`) and
  the one way to create a row once per key (`insert_once`); forms keep their key in
  `app/web/form_state.py`.
- `overview.py`: the start page of each role, with a card from each area.
- `notifications.py`: a person's notification choices and devices, and staff views of
  the outbox (the delivery lives in `app/notifications/`).
- `health.py`: is this instance ready to serve (`/readyz`).
"""
