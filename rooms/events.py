"""The kinds of event a session produces, by the one name each has everywhere.

Time passing fires some (`deadlines.advance`), commands cause the others; the scheduler
fires each once per deployment and the webhooks pass them on, under the public names of
server/webhooks/messages.py. An event's id starts with its kind, so a name changed here
changes every id it is part of.
"""

from __future__ import annotations

# fired when a deadline passes
TIMER_ENDED = "timer.ended"
BREAKOUT_CLOSING = "breakout.closing"
BREAKOUT_CLOSED = "breakout.closed"

# caused by a command
SESSION_ENDED = "session.ended"
POLL_CLOSED = "poll.closed"
SUMMARY_POSTED = "summary.posted"
