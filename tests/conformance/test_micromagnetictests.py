"""Ubermag's conformance suite, run with ``ubermag_dirac`` as the calculator."""

from micromagnetictests.calculatortests import *  # noqa: F403
