"""Counting the SQL statements a piece of code sends (for "in N queries" promises)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event


@contextmanager
def statements_sent(bind: Any) -> Iterator[list[str]]:
    """The statements sent while in the block; `bind` is an AsyncEngine or AsyncSession."""
    engine = bind.sync_engine if hasattr(bind, "sync_engine") else bind.get_bind().engine
    sent: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", seen)
