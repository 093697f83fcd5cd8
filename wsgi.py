"""WSGI entry point for gunicorn: `gunicorn wsgi:app` (production unless BOOKING_ENV says not)."""

import os

os.environ.setdefault("BOOKING_ENV", "production")

from booking import create_app  # after the environment default above

app = create_app()
