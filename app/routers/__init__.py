"""HTTP only: parse, call a service, render. One module per area, listed here once."""

from fastapi import APIRouter

from app.routers import auth, health, home, messages, preferences, pwa

ROUTERS: list[APIRouter] = [
    health.router,
    pwa.router,
    auth.router,
    preferences.router,
    home.router,
    messages.router,
]
