"""HTTP only: parse, call a service, render. One module per area, listed here once."""

from app.routers import (
    admin,
    admin_access,
    admin_privacy,
    admin_scim,
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
    onboarding,
    plan,
    preferences,
    privacy,
    pwa,
    reports,
    scim,
    sign_in,
    sms_receipts,
    working_hours,
    workspace,
)
from app.web.routing import AreaRouter

ROUTERS: list[AreaRouter] = [
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
    privacy.router,  # privacy area: notices, the whole record, who has seen it
    admin_access.router,
    admin_privacy.router,  # admin area: retention preview, erasing one person
    admin.router,  # admin area: staff members, teams, settings, change log
    admin_scim.router,  # scim area: the admin's IdP connections and group mappings
    messages.router,
    plan.router,
    appointments.router,
    notes.router,
    workspace.router,  # workspace area: young person's page, handover, team and covers
    working_hours.router,
    reports.router,  # the leaders' key-figure report
    scim.router,  # scim area: staff provisioned by the IdP
    sms_receipts.router,  # notifications area: SMS delivery receipts from the provider
    onboarding.router,  # onboarding area: import young people, invite in bulk
]
