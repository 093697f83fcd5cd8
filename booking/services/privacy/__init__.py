"""Personal data over its life: secrets sealed at rest, a person's export and erasure, and
retention that runs by itself."""
