"""Mastodon: a thread of statuses within the instance's limits, exactly once through Idempotency-Key."""
