"""Analytic linear response of a magnetised Dirac (topological-insulator) surface."""
