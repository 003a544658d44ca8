"""Metrics in Prometheus text format, structured logs and the request id that ties them up."""
