"""The outbox and the relay that delivers it."""
