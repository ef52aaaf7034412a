"""Domain-free building blocks: database, clock, crypto, money, templating."""
