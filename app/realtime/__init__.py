"""Real-time delivery of message events: the per-process hub and the SSE stream."""
