"""Render HTML: a prepared document in, a standalone HTML page out (sandboxed Jinja over plain data)."""
