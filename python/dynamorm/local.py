"""An embedded DynamoDB-compatible server for demos and local experiments.

Uses moto's threaded server (``pip install 'dynamorm[local]'``), bound to
127.0.0.1 on a free port. Not for production use.
"""

from __future__ import annotations

import importlib
import logging
from types import TracebackType
from typing import Any

__all__ = ["LocalServer"]


class LocalServer:
    """Runs moto's threaded DynamoDB server on ``127.0.0.1:<free port>``.

    Use as a context manager; ``endpoint_url`` is set once started:

        with LocalServer() as server:
            client = boto3.client("dynamodb", endpoint_url=server.endpoint_url, ...)
    """

    def __init__(self) -> None:
        self._server: Any = None
        self.endpoint_url: str = ""

    def start(self) -> str:
        """Starts the server and returns its endpoint URL (``RuntimeError``
        when moto is not installed)."""
        try:
            module = importlib.import_module("moto.server")
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError(
                "the embedded server needs moto: pip install 'dynamorm[local]'"
            ) from exc
        # The server's per-request access log is noise for a library user.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        return self.endpoint_url

    def stop(self) -> None:
        """Stops the server (nothing happens when it is not running)."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
