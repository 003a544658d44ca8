"""Rate limits counted atomically in PostgreSQL, shared by every API process."""
