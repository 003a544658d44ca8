"""Connections the server opens to addresses that clients named (push endpoints, media_url)."""
