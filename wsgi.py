"""WSGI entry point for gunicorn: `gunicorn wsgi:app` (production unless BOOKING_ENV says not)."""

import os

os.environ.setdefault("BOOKING_ENV", "production")

from booking import create_app  # noqa: E402 - the environment must be set first

app = create_app()
