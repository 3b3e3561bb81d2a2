"""briefkit's layouts: one folder each (layout.yaml, html/, css/), installed with the package.

This file only makes the folder importable as `briefkit.templates`, so that an installed
briefkit finds its layouts; there is no code in a layout.
"""
