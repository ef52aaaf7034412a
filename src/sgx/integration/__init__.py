"""The Fortnox integration: the connection per issuer and the transfer of invoices."""
