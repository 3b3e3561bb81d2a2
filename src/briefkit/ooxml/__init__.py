"""WordprocessingML: the package, parts and elements python-docx has no API for, shared by the writer, the import and the redline."""
