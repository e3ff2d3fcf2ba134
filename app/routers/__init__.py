"""HTTP only: parse, call a service, render. One module per area, listed here once."""

from fastapi import APIRouter

from app.routers import (
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
    notes,
    notifications,
    plan,
    preferences,
    pwa,
    reports,
    sign_in,
    workspace,
)

ROUTERS: list[APIRouter] = [
    health.router,
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
    messages.router,
    plan.router,
    appointments.router,
    notes.router,
    workspace.router,  # workspace area: young person's page, handover, team and covers
    reports.router,  # the leaders' key-figure report
]
