"""Resilience: deadlines, retries (tenacity), fallbacks and cool-downs around single attempts."""
