"""Small builders with keyword defaults for arranging test data."""
