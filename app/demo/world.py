"""What the demo steps share: the people created first."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.models import Municipality, Team, User, Youth


@dataclass
class DemoWorld:
    municipality: Municipality
    teams: list[Team]
    guides: list[User]
    leader: User
    admin: User
    youths: list[tuple[Youth, User]] = field(default_factory=list)
