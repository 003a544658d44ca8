"""The live feed: case changes pushed to dispatcher consoles as server-sent events."""
