"""The database and people of the live tests (tests/live), for the deploy tests too."""

from tests.live.test_message_stream import database, world  # noqa: F401
