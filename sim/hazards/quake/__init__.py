"""Earthquake hazard: ground motion, building damage, casualties, broken roads, aftershocks."""
