"""Read prose: Markdown fields, sources and a CSL style in, model blocks and numbered citations out (one Pandoc run)."""
