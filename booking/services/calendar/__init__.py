"""Time: intervals, opening hours, closures, and a place's calendar for a window. Mostly pure
functions."""
