"""The notifier's rules: who is told what, when a delivery is retried, which URLs may be called."""
