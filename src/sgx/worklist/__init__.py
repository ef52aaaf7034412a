"""'Att åtgärda': the invoices of an issuer whose transfer to Fortnox needs a person."""
