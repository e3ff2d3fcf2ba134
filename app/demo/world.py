"""What the demo steps share: the people created first."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.models import Message, Municipality, Team, User, Youth


@dataclass
class DemoWorld:
    municipality: Municipality
    teams: list[Team]
    guides: list[User]
    leader: User
    admin: User
    youths: list[tuple[Youth, User]] = field(default_factory=list)
    # Messages an earlier step wants in a conversation (a follow-up answered in words).
    # The messages step adds them together with the conversation, in time order, because
    # a conversation is read in the order messages were stored.
    messages: list[Message] = field(default_factory=list)
