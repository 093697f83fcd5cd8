"""The demo data set: real Rotterdam place names with invented rooms, hours and activities,
for `booking seed-demo`. Not a rule of the service: it only writes rows through it."""

from booking.demo.places import database_is_empty, seed_demo

__all__ = ["database_is_empty", "seed_demo"]
