"""Reads the shared mailbox into the review queue. Depends on webapp's models and services, never the
other way round."""
