"""The measurements, one module each; every one returns plain data for the report."""
