"""Chapters of the demo story that a feature adds, each a module of its own."""
