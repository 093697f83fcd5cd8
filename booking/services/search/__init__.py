"""Finding free time: availability, weekly patterns, and suggestions for initiatives."""
