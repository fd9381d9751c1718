"""Shared by the engine tests.

The test-only energy terms and the ``macrospin`` system factory of
``test_engine_fields.py`` are loaded once per process under the fixed module
name ``engine_test_fields``, so the test modules of this folder use them with
``import engine_test_fields as F`` (pytest imports this conftest before it
collects them; test modules cannot import each other in importlib mode).
"""

import importlib.util
import pathlib
import sys

NAME = "engine_test_fields"


def load_engine_test_fields():
    """``test_engine_fields.py`` imported once under :data:`NAME`."""
    if NAME not in sys.modules:
        path = pathlib.Path(__file__).with_name("test_engine_fields.py")
        spec = importlib.util.spec_from_file_location(NAME, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[NAME] = module
        spec.loader.exec_module(module)
    return sys.modules[NAME]


load_engine_test_fields()
