"""PostgreSQL: the pool, the migration runner and the embedded server."""
