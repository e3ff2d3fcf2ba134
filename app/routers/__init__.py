"""HTTP only: parse, call a service, render. One module per area, listed here once."""

from fastapi import APIRouter

from app.routers import auth, checkins, health, home, preferences, pwa

ROUTERS: list[APIRouter] = [
    health.router,
    pwa.router,
    auth.router,
    preferences.router,
    home.router,
    checkins.router,
]
