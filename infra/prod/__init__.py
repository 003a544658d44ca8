"""`make prod-up` / `make prod-down`: PostgreSQL, SeaweedFS S3, API processes, workers and nginx
on 127.0.0.1, each a process of its own, as a city would run them on several machines."""
