"""gunicorn settings, read from the working directory by `gunicorn wsgi:app` and `make run`."""

# A request that a sick database holds fails as a 503 within seconds (connect, statement
# and pool timeouts); this only catches what nothing else did.
timeout = 30
# SIGTERM lets running requests finish for this long.
graceful_timeout = 20
keepalive = 5
# Private feed URLs carry a token: the access log shows them redacted.
logger_class = "booking.access_log.RedactingLogger"
# The longest request line gunicorn reads (its maximum); filters may repeat.
limit_request_line = 8190
