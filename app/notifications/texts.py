"""What a notification says, in the person's language.

Texts are short and kind, and say only *that* something happened: never message text,
scores or notes. The only parameters ever written into a text are a one-time code and
an invite link (`TEXT_PARAMS`); everything else in `params` is for the worker only
(e.g. the message id a fallback SMS checks). The person opens Trinvis to see more.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from app.i18n import DEFAULT_LOCALE, N_, normalise_locale, translations

log = logging.getLogger("trinvis.notifications")

# The only params allowed into a text.
TEXT_PARAMS = frozenset({"code", "link"})


@dataclass(frozen=True)
class KindText:
    title: str
    body: str
    # Where tapping the notification leads (a path in the app), or None for codes.
    path: str | None
    # Web Push: how long the push service may keep it, and how eagerly to wake the phone.
    ttl_seconds: int
    urgency: str


KINDS: dict[str, KindText] = {
    "auth.code": KindText(
        N_("Trinvis code"),
        N_("Your code for Trinvis is %(code)s. It works for 10 minutes."),
        None,
        600,
        "high",
    ),
    "auth.invite": KindText(
        N_("Welcome to Trinvis"),
        N_("You are invited to Trinvis. Open the link to get started: %(link)s"),
        None,
        7 * 24 * 3600,
        "normal",
    ),
    "message.new": KindText(
        N_("New message"), N_("You have a new message in Trinvis."), "/messages", 86400, "normal"
    ),
    "checkin.due": KindText(
        N_("Time for a check-in"),
        N_("How are you doing? A short check-in is ready for you in Trinvis."),
        "/checkins",
        12 * 3600,
        "low",
    ),
    "followup.prompt": KindText(
        N_("How is it going?"),
        N_("How is it going with your new start? Answer with one tap in Trinvis."),
        "/followups",
        2 * 86400,
        "normal",
    ),
    "checkin.alert": KindText(
        N_("A check-in needs your attention"),
        N_("A young person's check-in needs your attention. See it in Trinvis."),
        "/guide/checkins",
        86400,
        "normal",
    ),
    "followup.flag": KindText(
        N_("A young person may need you"),
        N_("A follow-up needs your attention. See the call list in Trinvis."),
        "/guide/calls",
        86400,
        "normal",
    ),
    "appointment.answered": KindText(
        N_("Answer about an appointment"),
        N_("A young person answered about an appointment. See it in Trinvis."),
        "/guide/inbox",
        86400,
        "low",
    ),
    "note.shared": KindText(
        N_("New note"),
        N_("Your guide has written a note to you. Read it in Trinvis."),
        "/notes",
        86400,
        "low",
    ),
    "note.reply": KindText(
        N_("New reply to a note"),
        N_("There is a new reply to a note in Trinvis."),
        "/",  # goes to the young person or the guide: home works for both
        86400,
        "low",
    ),
    "appointment.changed": KindText(
        N_("Appointment changed"),
        N_("An appointment has changed. See the new time in Trinvis."),
        "/appointments",
        86400,
        "normal",
    ),
    # workspace area: a change of guide, told kindly; the new guide hears of it too.
    "guide.changed": KindText(
        N_("You have a new guide"),
        N_("You have a new guide in Trinvis. Your messages and your plan are still there."),
        "/messages",
        7 * 86400,
        "normal",
    ),
    "youth.without_guide": KindText(
        N_("A young person has no guide"),
        N_("A young person whose guide has stopped has written. Hand them over in Trinvis."),
        "/",
        7 * 86400,
        "normal",
    ),
    "handover.received": KindText(
        N_("A young person was handed over to you"),
        N_("A young person was handed over to you. See the handover note in Trinvis."),
        "/",
        7 * 86400,
        "normal",
    ),
}
FALLBACK = KindText(N_("Trinvis"), N_("There is news for you in Trinvis."), "/", 86400, "low")


@dataclass(frozen=True)
class RenderedText:
    title: str
    body: str
    url: str | None
    ttl_seconds: int
    urgency: str

    def as_sms(self) -> str:
        return f"{self.body} {self.url}" if self.url else self.body


def render_text(
    kind: str, params: Mapping[str, object], *, locale: str | None, base_url: str
) -> RenderedText:
    """The text of one notification in `locale` (Danish when unknown)."""
    spec = KINDS.get(kind, FALLBACK)
    catalog = translations(normalise_locale(locale) or DEFAULT_LOCALE)
    allowed = {key: str(value) for key, value in params.items() if key in TEXT_PARAMS}
    title = catalog.gettext(spec.title)
    body = catalog.gettext(spec.body)
    try:
        body = body % allowed if "%(" in body else body
    except KeyError as missing:
        # A code or link that was not queued: send the kind's generic text, never a hole,
        # and say so loudly, since the person then cannot get in.
        log.error("notification text without its %s", missing, extra={"kind": kind})
        body = catalog.gettext(FALLBACK.body)
    url = base_url.rstrip("/") + spec.path if spec.path else None
    return RenderedText(title, body, url, spec.ttl_seconds, spec.urgency)


# Kinds a person asked for right now (a sign-in code, an invite): they ignore quiet
# hours and channel preferences, since without them the person cannot get in.
ESSENTIAL_KINDS = frozenset({"auth.code", "auth.invite"})
