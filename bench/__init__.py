"""Benchmark of the GraphQL server against a hand-written baseline (issue 7)."""
