"""Invoice issuers (fakturautställare) and their settings, including support activation."""
