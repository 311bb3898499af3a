"""Bluesky: a thread of posts of at most 300 graphemes, exactly once through record keys."""
