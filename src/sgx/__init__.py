"""SGX invoicing with its Fortnox integration."""

__version__ = "0.1.0"
