"""Layouts: folders of data (parts, labels, design tokens, templates, locales) in, what the stages read out."""
