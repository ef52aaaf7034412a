"""The chaos suite: a soak run that tries to make SGX lose or duplicate a transfer.

``sgx chaos`` starts the Fortnox sandbox and several ``sgx worker`` processes against a
PostgreSQL database of its own, makes invoices, credits and patient edits while the sandbox
injects faults, tokens expire, a consent is revoked and restored, a licence disappears and
returns and workers are killed; then it drains the queue and compares SGX with Fortnox.
"""
