"""All tables, imported here so Alembic and the app see one metadata."""

from app.models import base  # noqa: F401  (naming convention first)
from app.models.identity import (
    AuthChallenge,
    CodePurpose,
    Invite,
    OidcSessionLink,
    OneTimeCode,
    Passkey,
    RateHit,
    YouthIdentityLink,
)
from app.models.message import Message, MessageKind
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
    "AuthChallenge",
    "CodePurpose",
    "CourseStatus",
    "Cover",
    "GuideAssignment",
    "Invite",
    "Message",
    "MessageKind",
    "Municipality",
    "Notification",
    "NotificationStatus",
    "OidcSessionLink",
    "OneTimeCode",
    "Passkey",
    "PlanStep",
    "RateHit",
    "ReadinessGroup",
    "Role",
    "StepStatus",
    "Team",
    "User",
    "UserSession",
    "Youth",
    "YouthIdentityLink",
]
