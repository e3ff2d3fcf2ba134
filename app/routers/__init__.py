"""HTTP only: parse, call a service, render. One module per area, listed here once."""

from fastapi import APIRouter

from app.routers import auth, checkins, followups, health, home, notifications, preferences, pwa

ROUTERS: list[APIRouter] = [
    health.router,
    pwa.router,
    auth.router,
    preferences.router,
    notifications.router,
    home.router,
    followups.router,
    checkins.router,
]
