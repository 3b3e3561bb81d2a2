"""Load: a brief's YAML (and its series files) in, plain values with their source positions out."""
