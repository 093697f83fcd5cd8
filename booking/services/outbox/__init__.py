"""Telling people and systems: the outbox every event goes through, and partner webhooks."""
