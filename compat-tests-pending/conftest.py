"""Fixtures for compat tests whose feature is not wired into the server yet.

This folder is not collected by compat-tests/run.sh. Its tests use exactly the fixtures and helpers
of compat-tests/ (conftest.py, dynarock_util.py), so moving a file from here into compat-tests/ needs
no edit. Run them on their own with:

    DYNAROCK_BIN=build/dynarock /usr/bin/python3 -m pytest -q -p no:cacheprovider compat-tests-pending

compat-tests/conftest.py is loaded under another module name: pytest imports this file as module
`conftest`, so `from conftest import *` would import this file itself.
"""
import importlib.util
import sys
from pathlib import Path

_COMPAT = Path(__file__).resolve().parent.parent / "compat-tests"
if str(_COMPAT) not in sys.path:
    sys.path.insert(0, str(_COMPAT))

_spec = importlib.util.spec_from_file_location("compat_tests_conftest", _COMPAT / "conftest.py")
_shared = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_shared)
globals().update({k: v for k, v in vars(_shared).items() if not k.startswith("_")})


def pytest_configure(config):
    # compat-tests/pytest.ini registers these; this folder has no ini file of its own.
    config.addinivalue_line("markers", "dynarock_only: dynarock-specific behaviour; skipped against real DynamoDB")
    config.addinivalue_line("markers", "needs_process: starts its own dynarock; skipped when DYNAROCK_ENDPOINT is set")
