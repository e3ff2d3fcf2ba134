"""All tables, imported here so Alembic and the app see one metadata."""

from app.models import base  # noqa: F401  (naming convention first)
from app.models.appointment import (  # plan area
    AgendaItem,
    Appointment,
    AppointmentStatus,
    CalendarFeed,
    PlaceKind,
    YouthResponse,
)
from app.models.message import Message, MessageKind
from app.models.note import Note, NoteReply  # plan area
from app.models.notification import Notification, NotificationStatus
from app.models.org import Municipality, Team
from app.models.plan import PlanEvent, PlanStep, StepStatus
from app.models.security import AppSetting, AuditRecord, UserSession
from app.models.user import STAFF_ROLES, Role, User
from app.models.youth import CourseStatus, Cover, GuideAssignment, ReadinessGroup, Youth

__all__ = [
    "STAFF_ROLES",
    "AgendaItem",
    "AppSetting",
    "Appointment",
    "AppointmentStatus",
    "AuditRecord",
    "CalendarFeed",
    "CourseStatus",
    "Cover",
    "GuideAssignment",
    "Message",
    "MessageKind",
    "Municipality",
    "Note",
    "NoteReply",
    "Notification",
    "NotificationStatus",
    "PlaceKind",
    "PlanEvent",
    "PlanStep",
    "ReadinessGroup",
    "Role",
    "StepStatus",
    "Team",
    "User",
    "UserSession",
    "Youth",
    "YouthResponse",
]
