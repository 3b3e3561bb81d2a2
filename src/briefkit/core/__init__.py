"""What every stage shares: diagnostics, the confinement gate, atomic writes, engines, image checks."""
