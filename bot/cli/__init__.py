"""Command-line adapters behind `python -m bot` (thin: parsing and printing only)."""
