"""Metrics, scores, statistics and reports. Everything here reads event logs (and tables of
results), never scenario files."""
