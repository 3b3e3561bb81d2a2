"""Build: briefs in, stamped output files out: the pipeline, batches and series, the cache, atomic replacement, redlines."""
