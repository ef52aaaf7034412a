"""The transfer queue (transactional outbox): record, claim, retry policy, leases, history."""
