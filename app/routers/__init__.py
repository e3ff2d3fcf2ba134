"""HTTP only: parse, call a service, render. One module per area, listed here once."""

from fastapi import APIRouter

from app.routers import (
    admin,
    admin_access,
    appointments,
    auth,
    checkins,
    followups,
    health,
    home,
    invites,
    me,
    messages,
    metrics,
    notes,
    notifications,
    plan,
    preferences,
    pwa,
    reports,
    sign_in,
    working_hours,
    workspace,
)

ROUTERS: list[APIRouter] = [
    health.router,
    metrics.router,  # /metrics for Prometheus
    pwa.router,
    auth.router,
    preferences.router,
    notifications.router,
    home.router,
    followups.router,
    checkins.router,
    sign_in.router,
    invites.router,
    me.router,
    admin_access.router,
    admin.router,  # admin area: staff members, teams, settings, change log
    messages.router,
    plan.router,
    appointments.router,
    notes.router,
    workspace.router,  # workspace area: young person's page, handover, team and covers
    working_hours.router,
    reports.router,  # the leaders' key-figure report
]
