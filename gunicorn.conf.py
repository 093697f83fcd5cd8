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
# The usual combined format, and the request id the service answered with.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'
)
