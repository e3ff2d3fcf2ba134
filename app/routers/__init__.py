"""HTTP only: parse, call a service, render. One module per area, listed here once."""

from fastapi import APIRouter

from app.routers import appointments, auth, health, home, notes, plan, preferences, pwa

ROUTERS: list[APIRouter] = [
    health.router,
    pwa.router,
    auth.router,
    preferences.router,
    home.router,
    plan.router,  # plan area: plan, appointments and agenda, notes
    appointments.router,
    notes.router,
]
