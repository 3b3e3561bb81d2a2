"""Render PDF: the print HTML in, a tagged PDF out (WeasyPrint in a process of its own)."""
