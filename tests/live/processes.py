"""Start several app processes at once, with patience for a busy machine."""

from __future__ import annotations

import asyncio
import threading
from typing import Protocol

from tests.browser.conftest import _wait_ready

# On a loaded CI machine an app process can take more than `_wait_ready`'s 30 s to
# start; a live process gets this many more waits before the test gives up.
EXTRA_WAITS = 2


class Startable(Protocol):
    url: str
    process: object

    def start(self) -> None: ...


def start_all(*apps: Startable) -> None:
    errors: dict[int, BaseException] = {}

    def start(index: int, app: Startable) -> None:
        try:
            app.start()
        except BaseException as error:  # handed back below
            errors[index] = error

    threads = [threading.Thread(target=start, args=(i, app)) for i, app in enumerate(apps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index, error in errors.items():
        app = apps[index]
        process = app.process
        if process is None or process.poll() is not None:  # type: ignore[attr-defined]
            raise error
        for attempt in range(EXTRA_WAITS):
            try:
                _wait_ready(app.url, process)  # type: ignore[arg-type]
                break
            except RuntimeError:
                if attempt == EXTRA_WAITS - 1:
                    raise


async def start_all_async(*apps: Startable) -> None:
    await asyncio.to_thread(start_all, *apps)
