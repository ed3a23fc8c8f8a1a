"""Prompt parsing for the offline edits: one module per family of operations, sharing `text`."""
