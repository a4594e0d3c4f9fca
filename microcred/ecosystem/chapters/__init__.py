"""Chapters of the demo story, each a feature's own module, played by ``demo.play_steps``."""
