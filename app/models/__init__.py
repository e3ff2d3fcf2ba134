"""All tables, imported here so Alembic and the app see one metadata."""

from app.models import base  # noqa: F401  (naming convention first)
from app.models.message import (
    GuideWorkingHours,
    Message,
    MessageEvent,
    MessageEventKind,
    MessageKind,
    RealtimePresence,
    ReplySnippet,
)
from app.models.notification import Notification, NotificationStatus
from app.models.org import Municipality, Team
from app.models.plan import PlanStep, StepStatus
from app.models.security import AppSetting, AuditRecord, UserSession
from app.models.user import STAFF_ROLES, Role, User
from app.models.youth import CourseStatus, Cover, GuideAssignment, ReadinessGroup, Youth

__all__ = [
    "STAFF_ROLES",
    "AppSetting",
    "AuditRecord",
    "CourseStatus",
    "Cover",
    "GuideAssignment",
    "GuideWorkingHours",
    "Message",
    "MessageEvent",
    "MessageEventKind",
    "MessageKind",
    "Municipality",
    "Notification",
    "NotificationStatus",
    "PlanStep",
    "ReadinessGroup",
    "RealtimePresence",
    "ReplySnippet",
    "Role",
    "StepStatus",
    "Team",
    "User",
    "UserSession",
    "Youth",
]
