"""Who is at the other end of a request: their address and a readable device name."""

from __future__ import annotations

import re

from fastapi import Request

_BROWSERS = (
    ("Edg/", "Edge"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "Mac"),
    ("CrOS", "Chromebook"),
    ("Linux", "Linux"),
)


def client_ip(request: Request) -> str:
    # Behind a load balancer, uvicorn's --proxy-headers puts the real address here.
    return request.client.host if request.client else "unknown"


def device_label(request: Request) -> str:
    """ "Chrome · Android" from the User-Agent: enough to recognise one's own phone."""
    agent = request.headers.get("user-agent", "")
    browser = next((name for marker, name in _BROWSERS if marker in agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in agent), None)
    label = " · ".join(part for part in (browser, system) if part)
    return label or re.sub(r"[^\w .;/()-]", "", agent)[:60] or "?"
