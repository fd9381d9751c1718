"""Finite-difference LLG engine that runs Ubermag systems (see docs/ARCHITECTURE.md)."""
