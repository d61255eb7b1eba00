"""Anonymised exports, transcript redaction and purge (the end of the data's life)."""
