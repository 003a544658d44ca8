"""Accounts: staff logins, resident devices, tokens, roles and scopes."""
