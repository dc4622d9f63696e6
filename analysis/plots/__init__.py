"""Figures for reports (matplotlib; the only place drillsim draws)."""
