"""Delivery of the outbox: who hears of an event, what the mail says, and the worker."""
