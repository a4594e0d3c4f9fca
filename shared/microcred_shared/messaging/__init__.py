"""Kafka plumbing: broker factory, subscriptions with dead-lettering, inbox, outbox relay."""
