"""The live tests' database and people (defined beside the first live test)."""

from tests.live.test_message_stream import database, world  # noqa: F401
