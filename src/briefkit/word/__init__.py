"""The Word round trip: a Word draft in, a brief out (import); two built DOCX packages in, tracked changes out (redline)."""
