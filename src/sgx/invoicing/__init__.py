"""Invoices, rows, credits, numbering and OCR references."""
