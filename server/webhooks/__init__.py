"""Outgoing webhooks: signed JSON or Teams Workflows cards, sent through a durable outbox.

`signing` and `messages` are plain functions that receivers and the bot client import as
well; `outbox` is the worker that sends deliveries, and the only part with I/O.
"""
