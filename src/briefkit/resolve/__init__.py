"""Resolve: typed brief + prose + layout in, a numbered `model.Document` with every line a reader sees out."""
