"""Sign-ups for activities, one module per use case, as pretix cuts its services: the quota
(`quotas`), signing up (`signing_up`), the waitlist (`waitinglist`), the check-in
(`checkin`). Counting always happens under a lock on the booking's row (the quota)."""
