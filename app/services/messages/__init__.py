"""Messages: the one conversation between a young person and their guide, the guide's
inbox, and when an answer can be expected.

Services:
- `conversation.py`: sending, replying, reading; what each reader sees of a message.
- `event_log.py`: the event log of the conversations, read by the live streams.
- `pages.py`: what the conversation pages and their live streams show.
- `notify.py`: who hears about a new message when they are not looking, and when.
- `inbox.py`: the guide's inbox, and the leader's overdue answers in numbers.
- `snippets.py`: reusable replies a guide keeps for themselves.
- `availability.py`: when a guide can be expected to answer; help lines for now.
- `working_hours.py`: the guide's own working week.

Elsewhere in the area:
- routers: `app/routers/messages.py`, `app/routers/working_hours.py`; the streams in
  `app/realtime/sse.py`
- templates: `app/templates/messages/`, `app/templates/home/_messages_card.html`
- catalog: `app/i18n/da/messages.po`
- demo step: `app/demo/messages.py`
- migrations: `migrations/versions/0002_plan_steps_messages_notification_outbox.py`,
  `migrations/versions/0400_messages.py`
- tests: `tests/unit/test_message_rules.py`, `tests/web/test_message*.py`,
  `tests/live/test_message_stream.py`, `tests/browser/test_messages.py`
- benchmark: `bench/messages.py`
"""
