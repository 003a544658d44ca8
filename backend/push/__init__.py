"""Web Push: VAPID keys, device subscriptions, and the sender that drains the outbox."""
