"""Fortnox REST API v3 resources under ``/3/``."""
