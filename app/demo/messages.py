"""Demo conversations: half a year of everyday messages, a change of guide, some unanswered."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.demo.world import DemoWorld
from app.models import GuideAssignment, GuideWorkingHours, Message, MessageKind, ReplySnippet
from app.services.messages.availability import DEFAULT_WEEK, is_working, next_opening
from app.services.messages.conversation import GUIDE_CHANGED

# (from the young person, answer from the guide); {g} is the guide's first name.
EXCHANGES = [
    (
        "Hej {g}. Jeg kan ikke komme i morgen, jeg har det ikke så godt.",
        "Tak fordi du skriver. Skal vi tage det over telefonen i stedet, eller flytte til fredag?",
    ),
    (
        "Jeg har været til samtale på FGU'en i dag 😊",
        "Hvor er det godt! Hvordan gik det? Vi kan tale om det på torsdag.",
    ),
    (
        "Hvad skal jeg have med til mødet på jobcentret?",
        "Bare dit sygesikringskort og din telefon. Jeg sender dig adressen: https://www.borger.dk",
    ),
    (
        "Jeg fik ikke svar fra praktikstedet",
        "Det er ærgerligt. Skal vi ringe til dem sammen, når vi ses på tirsdag?",
    ),
    (
        "Kan vi ses lidt senere på mandag? Jeg skal med min mor til lægen.",
        "Ja, det passer fint. Skal vi sige kl. 13?",
    ),
    ("Jeg har sendt ansøgningen 🙌", "Sejt! Det var et stort skridt. Jeg krydser fingre."),
    (
        "Jeg ved ikke om jeg kan klare det der med uddannelsen",
        "Det er helt okay at være i tvivl. Vi kigger på det sammen, i dit tempo.",
    ),
    ("Tak for i dag", "Selv tak. Godt at se dig – husk at skrive, hvis der er noget."),
]
FROM_GUIDE = [
    "Hej! Hvordan gik det med besøget på erhvervsskolen?",
    "Husk vores møde i morgen kl. 10 på Ungecentret.",
    "Jeg har fundet et kursus, der måske kunne passe dig. Vil du høre mere?",
]
UNANSWERED = [
    "Hej, er du der? Jeg har fået et brev fra kommunen og forstår det ikke",
    "Kan du ringe til mig når du har tid?",
    "Jeg tror ikke jeg kan komme i skole i morgen",
]
SNIPPETS = [
    ("Tak for din besked", "Tak for din besked. Jeg vender tilbage i løbet af dagen."),
    ("Flyt møde", "Det er helt i orden. Hvornår passer det dig bedre?"),
    ("Akut hjælp", "Hvis det haster, så ring 112. Du kan også ringe til Livslinien på 70 201 201."),
]


async def add(db: AsyncSession, world: DemoWorld, rng: random.Random, now: datetime) -> None:
    guide_names = {g.id: g.first_name for g in world.guides}
    # Mads works Monday to Thursday, 8:00–15:30; the others the default week.
    mads = world.guides[1]
    assert mads.id is not None
    for day in range(4):
        db.add(GuideWorkingHours(guide_id=mads.id, weekday=day, start_minute=480, end_minute=930))
    for guide in world.guides:
        assert guide.id is not None
        for n, (title, body) in enumerate(SNIPPETS):
            db.add(
                ReplySnippet(
                    guide_id=guide.id,
                    title=title,
                    body=body,
                    client_key=f"demo-snippet-{guide.id}-{n}",
                    created_at=now - timedelta(days=150),
                )
            )
    for index, (youth, person) in enumerate(world.youths):
        assert youth.id is not None and youth.guide_id is not None
        history = (
            await db.exec(
                select(GuideAssignment)
                .where(GuideAssignment.youth_id == youth.id)
                .order_by(col(GuideAssignment.started_at))
            )
        ).all()
        writer = _Writer(youth.id, person.id or 0, now)
        moment = youth.created_at + timedelta(days=rng.randint(1, 5), hours=rng.randint(1, 6))
        for number in range(rng.randint(3, 9)):
            assignment = next((a for a in reversed(history) if a.started_at <= moment), history[0])
            if moment >= now - timedelta(days=2):
                break
            if number and history[0] is not assignment and not writer.changed:
                writer.system(assignment.started_at, guide_names.get(assignment.guide_id, ""))
            asked, answer = EXCHANGES[rng.randrange(len(EXCHANGES))]
            name = guide_names.get(assignment.guide_id, "")
            if rng.random() < 0.25:
                moment = _in_working_hours(moment, rng)
                writer.text(assignment.guide_id, rng.choice(FROM_GUIDE), moment)
                moment += timedelta(hours=rng.randint(1, 20))
            writer.text(writer.youth_user_id, asked.format(g=name), moment)
            reply_after = timedelta(minutes=rng.choice([12, 35, 70, 150, 600, 1300]))
            writer.text(assignment.guide_id, answer, _in_working_hours(moment + reply_after, rng))
            moment += timedelta(days=rng.randint(6, 24), hours=rng.randint(-4, 4))
        if index % 6 == 2:
            # Some young people are waiting for an answer, a few for more than a working day.
            waited = timedelta(days=3) if index % 12 == 2 else timedelta(hours=rng.randint(1, 3))
            writer.text(writer.youth_user_id, UNANSWERED[index % len(UNANSWERED)], now - waited)
        conversation: list[Message] = [
            *writer.messages,
            *(m for m in world.messages if m.youth_id == youth.id),
        ]
        # A conversation is read in the order its messages were stored (their ids), as
        # they are when people write them one after another: store them in time order.
        conversation.sort(key=_sent_at)
        db.add_all(conversation)
        await db.flush()


def _sent_at(message: Message) -> datetime:
    return message.sent_at


def _in_working_hours(moment: datetime, rng: random.Random) -> datetime:
    """Guides write during working hours: move a reply to the next working morning."""
    if is_working(moment, DEFAULT_WEEK):
        return moment
    opening = next_opening(moment, DEFAULT_WEEK) or moment
    return opening + timedelta(minutes=rng.randint(5, 90))


class _Writer:
    def __init__(self, youth_id: int, youth_user_id: int, now: datetime) -> None:
        self.youth_id, self.youth_user_id, self.now = youth_id, youth_user_id, now
        self.count = 0
        self.changed = False
        self.messages: list[Message] = []

    def _key(self) -> str:
        self.count += 1
        return f"demo-{self.youth_id}-{self.count}"

    def text(self, sender_id: int | None, body: str, at: datetime) -> None:
        if at >= self.now:
            return
        read = at + timedelta(minutes=20) if at < self.now - timedelta(days=1) else None
        self.messages.append(
            Message(
                youth_id=self.youth_id,
                sender_id=sender_id,
                kind=MessageKind.text,
                body=body,
                client_key=self._key(),
                sent_at=at,
                read_at=read,
            )
        )

    def system(self, at: datetime, name: str) -> None:
        self.changed = True
        body = json.dumps({"id": GUIDE_CHANGED, "params": {"name": name}}, ensure_ascii=False)
        self.messages.append(
            Message(
                youth_id=self.youth_id,
                kind=MessageKind.system,
                body=body,
                client_key=self._key(),
                sent_at=at,
                read_at=at + timedelta(hours=3),
            )
        )
