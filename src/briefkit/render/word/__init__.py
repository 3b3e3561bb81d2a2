"""Render DOCX: a prepared document in, a Word file with real notes in the design's styles out."""
