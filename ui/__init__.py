"""Copydesk desktop interface (PySide6)."""
