"""Bookings and series: the rules a request must meet, who may see and change what, and what
a change does to other bookings."""
