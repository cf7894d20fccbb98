"""API keys the tests configure (see conftest.py) and their Authorization headers."""

from __future__ import annotations

ADMIN = {"Authorization": "Bearer admin-key"}
PRO = {"Authorization": "Bearer pro-key"}
FREE = {"Authorization": "Bearer free-key"}
KEYS = "admin-key:enterprise:admin,pro-key:pro,free-key:free"
