"""The ASGI entry point for uvicorn: `uvicorn app.asgi:app`."""

import gc

from app.main import create_app

app = create_app()

# Garbage collection tuned for a server holding thousands of open message streams.
# Each stream keeps a few hundred small objects alive (the framework's coroutines and
# closures); with Python's default thresholds a full collection then runs every few
# seconds while people connect and stops the process for up to a second at 5,000
# streams (measured with bench/messages.py). Collecting the youngest objects every
# 50,000 allocations instead of 700 lets short-lived objects die first, and freezing
# what exists after start-up (modules, classes, functions: never garbage) keeps it
# out of every later collection. Cycles are still collected, just less often.
gc.set_threshold(50_000, 20, 10)
gc.freeze()
