"""Operations area: what operators watch and keep, not what people use.

- `job_runs.py`: each background job's last success, written by the worker.
- `gauges.py`: what /metrics reads from the database at scrape time (the notification
  backlog, delivery failures, job runs): counts and ages only, never about a person.
Backup, restore and the move to PostgreSQL are commands, in `app/operations/`.
"""
