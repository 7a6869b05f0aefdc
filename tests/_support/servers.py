"""Start DynamoDB-compatible servers for the tests, on 127.0.0.1 only.

Each server runs as a child process (in its own process group) on a free
port; ``stop`` ends it by PID. moto comes from the virtualenv; dynalite from
``node_modules`` (``npm ci`` installs the version pinned in package-lock.json).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Server:
    name: str
    endpoint: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name} exited with {server.process.returncode}; "
                f"log:\n{server.log_path.read_text(errors='replace')}"
            )
        try:
            urllib.request.urlopen(server.endpoint, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # it answered, even if with an error status
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{server.name} did not answer at {server.endpoint} within {timeout}s")


def start_moto(log_dir: Path) -> Server:
    """``python -m moto.server`` on a free loopback port."""
    port = free_port()
    log_path = log_dir / f"moto-{port}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server("moto", f"http://127.0.0.1:{port}", process, log_path)
    _wait_until_up(server)
    return server


ROOT = Path(__file__).resolve().parents[2]
DYNALITE_CLI = ROOT / "node_modules" / "dynalite" / "cli.js"


def start_dynalite(log_dir: Path) -> Server:
    """dynalite (in memory, tables ready at once) on a free loopback port."""
    if not DYNALITE_CLI.exists():
        raise RuntimeError(f"{DYNALITE_CLI} is missing: run `npm ci` in {ROOT}")
    port = free_port()
    log_path = log_dir / f"dynalite-{port}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            "node",
            str(DYNALITE_CLI),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--createTableMs",
            "0",
            "--deleteTableMs",
            "0",
            "--updateTableMs",
            "0",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server("dynalite", f"http://127.0.0.1:{port}", process, log_path)
    _wait_until_up(server)
    return server


STARTERS = {"moto": start_moto, "dynalite": start_dynalite}
"""The servers ``DYNAMORM_TEST_SERVER`` may name."""


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Silent:
    """A server that never answers: its ``endpoint`` and the connections it
    has accepted so far (``accepted``)."""

    endpoint: str
    accepted: int = 0


@contextlib.contextmanager
def silent_server() -> Iterator[Silent]:
    """``with silent_server() as server:`` — a server on 127.0.0.1 that
    accepts every connection and never answers (a hung DynamoDB, for
    deadline tests); the connections stay open until the block ends."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.05)
    server = Silent(f"http://127.0.0.1:{listener.getsockname()[1]}")
    held: list[socket.socket] = []
    stopping = threading.Event()

    def serve() -> None:
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)
            server.accepted += 1

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stopping.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        listener.close()


@contextlib.contextmanager
def unaccepting_server() -> Iterator[str]:
    """``with unaccepting_server() as endpoint:`` — a port on 127.0.0.1 whose
    accept queue is full and never drained, so a new connection's handshake
    never completes (a connect that hangs, for connect-timeout tests)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    address = listener.getsockname()
    fillers: list[socket.socket] = []
    try:
        # Linux keeps backlog + 1 completed handshakes; once those wait,
        # further SYNs are dropped. Fill the queue until a connect hangs.
        for _ in range(8):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.settimeout(0.2)
            try:
                filler.connect(address)
            except OSError:
                filler.close()
                break
            fillers.append(filler)
        else:
            raise RuntimeError("unaccepting_server: the accept queue never filled")
        yield f"http://127.0.0.1:{address[1]}"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
