"""The audit log: append-only rows of who changed what, and why."""
