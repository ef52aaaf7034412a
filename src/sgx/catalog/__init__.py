"""Articles and bookkeeping accounts."""
