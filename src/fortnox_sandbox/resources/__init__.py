"""The state and rules of each emulated Fortnox resource, free of HTTP (the moto split)."""
