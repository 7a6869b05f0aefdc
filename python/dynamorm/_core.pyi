"""Type stubs for the native module ``dynamorm._core`` (built from rust/dynamorm-py)."""

from typing import Any  # noqa: F401  (used by the sections below)

__version__: str

# --- marshal (rust/dynamorm-py/src/marshal.rs) ---

# --- expr (rust/dynamorm-py/src/expr.rs) ---

# --- batch keys (rust/dynamorm-py/src/keys.rs) ---

# --- cursor (rust/dynamorm-py/src/cursor.rs) ---
