"""Patients and companies: the parties invoices are addressed to."""
