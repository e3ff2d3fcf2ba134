"""Notifications: the outbox (written in the event's transaction), the worker and channels."""
