"""Shipped FAQ data. A package only so that wheels include these files (package-data globs)."""
