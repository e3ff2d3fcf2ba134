"""Instruments as data: WHO-5 and the others are JSON files in `app/instruments/`.

Each file holds the items, the answer scale, the scoring, the alert thresholds, the
cadence and the kind words shown after answering, in Danish and English. The files are
loaded into the `instrument` table by migration 0300 and again at every start
(idempotent): the same text is the same version; changed wording becomes a new version,
and the check-ins answered before keep pointing at the version they answered.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field, model_validator
from sqlalchemy.engine import Connection

from app.clock import utcnow
from app.i18n import current_locale
from app.models.base import UTCDateTime

INSTRUMENT_DIR = Path(__file__).resolve().parents[2] / "instruments"
PRIMARY = "who5"


class Text(BaseModel):
    """A text in both languages; Danish first."""

    da: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def __str__(self) -> str:
        return self.en if current_locale() == "en" else self.da


class Item(BaseModel):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    text: Text


class Step(BaseModel):
    value: int = Field(ge=0, le=100)
    label: Text


class Scoring(BaseModel):
    # The sum of the answers, scaled to 0..max_score (WHO-5: raw 0-25 × 4 = 0-100).
    method: Literal["sum_scaled"]
    max_score: int = Field(default=100, gt=0)


class Threshold(BaseModel):
    score: int = Field(ge=0, le=100)
    kind: Literal["urgent", "screen_further"]


class AlertRules(BaseModel):
    at_or_below: list[Threshold] = []
    drop_of: int | None = Field(default=None, gt=0)


class Cadence(BaseModel):
    days: int = Field(ge=7, le=366)
    # True: the young person's own cadence (Youth.checkin_cadence_days) decides.
    per_youth: bool = False


class Feedback(BaseModel):
    at_or_below: int = Field(ge=0, le=100)
    suggest_guide: bool = False
    text: Text


class Definition(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    name: Text
    source: str = ""
    intro: Text
    cadence: Cadence
    items: list[Item] = Field(min_length=1)
    scale: list[Step] = Field(min_length=2)
    scoring: Scoring
    alerts: AlertRules = AlertRules()
    chart_lines: list[int] = []
    feedback: list[Feedback] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Definition:
        keys = [item.key for item in self.items]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.code}: item keys must be unique")
        values = [step.value for step in self.scale]
        if len(set(values)) != len(values):
            raise ValueError(f"{self.code}: answer values must be unique")
        if max(f.at_or_below for f in self.feedback) < self.scoring.max_score:
            raise ValueError(f"{self.code}: feedback must cover every score")
        return self

    @property
    def values(self) -> frozenset[int]:
        return frozenset(step.value for step in self.scale)

    @property
    def max_raw(self) -> int:
        return len(self.items) * max(self.values)

    def score(self, answers: dict[str, int]) -> tuple[int, int]:
        """(raw, score) of a complete set of valid answers; score on 0..max_score."""
        raw = sum(answers[item.key] for item in self.items)
        # Integer arithmetic, rounding half up: WHO-5 gives exactly raw × 4.
        scaled = (2 * raw * self.scoring.max_score + self.max_raw) // (2 * self.max_raw)
        return raw, scaled

    def alert_kinds(self, score: int, previous: int | None) -> list[str]:
        """The alerts a new score raises: the most severe threshold, and a marked fall."""
        kinds: list[str] = []
        for threshold in sorted(self.alerts.at_or_below, key=lambda t: t.score):
            if score <= threshold.score:
                kinds.append(threshold.kind)
                break
        drop = self.alerts.drop_of
        if drop is not None and previous is not None and previous - score >= drop:
            kinds.append("marked_fall")
        return kinds

    def feedback_for(self, score: int) -> Feedback:
        bands = sorted(self.feedback, key=lambda f: f.at_or_below)
        return next((band for band in bands if score <= band.at_or_below), bands[-1])

    def due_after_days(self, youth_cadence_days: int) -> int:
        return youth_cadence_days if self.cadence.per_youth else self.cadence.days


def content_hash(definition: Definition) -> str:
    canonical = json.dumps(definition.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def read_files(folder: Path = INSTRUMENT_DIR) -> list[Definition]:
    """The instruments in the repo, refused loudly when a file is malformed."""
    definitions = []
    for path in sorted(folder.glob("*.json")):
        definition = Definition.model_validate_json(path.read_text(encoding="utf-8"))
        if definition.code != path.stem:
            raise ValueError(f"{path.name}: code must equal the file name")
        definitions.append(definition)
    return definitions


@lru_cache(maxsize=64)
def parse(definition_json: str) -> Definition:
    """A stored version's definition; versions never change, so parsing is cached."""
    return Definition.model_validate_json(definition_json)


# The columns this loader needs, as of migration 0300, so the migration can call it too.
_instrument = sa.table(
    "instrument",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("version", sa.Integer),
    sa.column("content_hash", sa.String),
    sa.column("definition", sa.Text),
    sa.column("is_current", sa.Boolean),
    sa.column("loaded_at", UTCDateTime),
)


def sync_instruments(
    connection: Connection, *, folder: Path = INSTRUMENT_DIR, now: datetime | None = None
) -> list[tuple[str, int]]:
    """Load the files into the database; returns the (code, version) made current.

    Idempotent and safe when several replicas start at once: a known text is found by
    its hash; a new text is inserted once (the unique constraints decide).
    """
    now = now or utcnow()
    current = []
    for definition in read_files(folder):
        digest = content_hash(definition)
        version = _version_of(connection, definition.code, digest)
        if version is None:
            version = _insert_version(connection, definition, digest, now)
        connection.execute(
            sa.update(_instrument)
            .where(_instrument.c.code == definition.code)
            .values(is_current=_instrument.c.version == version)
        )
        current.append((definition.code, version))
    return current


def _version_of(connection: Connection, code: str, digest: str) -> int | None:
    return connection.execute(
        sa.select(_instrument.c.version).where(
            _instrument.c.code == code, _instrument.c.content_hash == digest
        )
    ).scalar()


def _insert_version(
    connection: Connection, definition: Definition, digest: str, now: datetime
) -> int:
    latest = connection.execute(
        sa.select(sa.func.max(_instrument.c.version)).where(_instrument.c.code == definition.code)
    ).scalar()
    version = (latest or 0) + 1
    try:
        with connection.begin_nested():
            connection.execute(
                sa.insert(_instrument).values(
                    code=definition.code,
                    version=version,
                    content_hash=digest,
                    definition=definition.model_dump_json(),
                    is_current=False,
                    loaded_at=now,
                )
            )
    except sa.exc.IntegrityError:
        # Another replica loaded the same text at the same moment.
        found = _version_of(connection, definition.code, digest)
        if found is None:
            raise
        return found
    return version
