"""Monitoring that a place owns: attendance, anonymous feedback, complaints with their term,
and the impact report built from them. No figure names a visitor."""
