"""The project's benchmarks; ``python -m bench [--quick]`` runs them all and prints one table."""
