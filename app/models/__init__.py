"""All tables, imported here so Alembic and the app see one metadata."""

from app.models import base  # noqa: F401  (naming convention first)
from app.models.admin import AdminChange
from app.models.appointment import (
    AgendaItem,
    Appointment,
    AppointmentStatus,
    CalendarFeed,
    PlaceKind,
    YouthResponse,
)
from app.models.checkin import AlertKind, CheckIn, CheckInAlert, CheckInAnswer, Instrument
from app.models.delivery import NotificationAttempt, NotificationPreference, PushSubscription
from app.models.followup import (
    CallOutcome,
    CourseEnd,
    CourseEndOutcome,
    Enrollment,
    EnrollmentEnd,
    EnrollmentKind,
    FlagReason,
    FollowUp,
    FollowUpAnswer,
    RiskFlag,
    RiskState,
)
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
from app.models.message import (
    GuideWorkingHours,
    Message,
    MessageEvent,
    MessageEventKind,
    MessageKind,
    RealtimePresence,
    ReplySnippet,
)
from app.models.note import Note, NoteReply
from app.models.notification import Notification, NotificationStatus
from app.models.onboarding import ImportStatus, YouthImport  # onboarding area
from app.models.operations import JobRun
from app.models.org import Municipality, Team
from app.models.plan import PlanEvent, PlanStep, StepStatus
from app.models.scim import ScimConnection, ScimGroupMapping, ScimResource
from app.models.security import AppSetting, AuditRecord, UserSession
from app.models.user import STAFF_ROLES, Role, User
from app.models.workspace import CoverKey, Handover  # workspace area
from app.models.youth import CourseStatus, Cover, GuideAssignment, ReadinessGroup, Youth

__all__ = [
    "STAFF_ROLES",
    "AdminChange",
    "AgendaItem",
    "AlertKind",
    "AppSetting",
    "Appointment",
    "AppointmentStatus",
    "AuditRecord",
    "AuthChallenge",
    "CalendarFeed",
    "CallOutcome",
    "CheckIn",
    "CheckInAlert",
    "CheckInAnswer",
    "CodePurpose",
    "CourseEnd",
    "CourseEndOutcome",
    "CourseStatus",
    "Cover",
    "CoverKey",
    "Enrollment",
    "EnrollmentEnd",
    "EnrollmentKind",
    "FlagReason",
    "FollowUp",
    "FollowUpAnswer",
    "GuideAssignment",
    "GuideWorkingHours",
    "Handover",
    "ImportStatus",
    "Instrument",
    "Invite",
    "JobRun",
    "Message",
    "MessageEvent",
    "MessageEventKind",
    "MessageKind",
    "Municipality",
    "Note",
    "NoteReply",
    "Notification",
    "NotificationAttempt",
    "NotificationPreference",
    "NotificationStatus",
    "OidcSessionLink",
    "OneTimeCode",
    "Passkey",
    "PlaceKind",
    "PlanEvent",
    "PlanStep",
    "PushSubscription",
    "RateHit",
    "ReadinessGroup",
    "RealtimePresence",
    "ReplySnippet",
    "RiskFlag",
    "RiskState",
    "Role",
    "ScimConnection",
    "ScimGroupMapping",
    "ScimResource",
    "StepStatus",
    "Team",
    "User",
    "UserSession",
    "Youth",
    "YouthIdentityLink",
    "YouthImport",
    "YouthResponse",
]
