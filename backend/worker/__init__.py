"""The background worker: periodic housekeeping now, deadlines and pushes as they arrive."""
