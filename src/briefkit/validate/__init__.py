"""Validate: loaded values in, a typed `Brief` (or every located mistake) out; the format's schema."""
