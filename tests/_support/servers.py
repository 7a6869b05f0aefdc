"""Start DynamoDB-compatible servers for the tests, on 127.0.0.1 only.

Each server runs as a child process (in its own process group) on a free
port, and is up once that process itself listens there and answers; ``stop``
ends it by PID, and it ends by itself if the test process that started it
dies first. moto comes from the virtualenv; dynalite from
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil


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


class _PortTaken(Exception):
    """The server exited because another process had taken its port."""


def _listens(pid: int, port: int) -> bool:
    """Whether process ``pid`` itself listens on 127.0.0.1:``port``."""
    try:
        connections = psutil.Process(pid).net_connections(kind="tcp")
    except psutil.Error:
        return False
    return any(
        c.status == psutil.CONN_LISTEN and c.laddr.port == port and c.laddr.ip == "127.0.0.1"
        for c in connections
    )


def _wait_until_up(server: Server, port: int, timeout: float = 60.0) -> None:
    """Returns once ``server``'s own process listens on ``port`` and answers
    HTTP there: an answer from another process that holds the port (another
    test run's server, between ``free_port`` and the bind) is never taken
    for this server's."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            log = server.log_path.read_text(errors="replace")
            if "Address already in use" in log or "EADDRINUSE" in log:
                raise _PortTaken(log)
            raise RuntimeError(
                f"{server.name} exited with {server.process.returncode}; log:\n{log}"
            )
        if _listens(server.process.pid, port):
            try:
                urllib.request.urlopen(server.endpoint, timeout=1).close()
                return
            except urllib.error.HTTPError:
                return  # it answered, even if with an error status
            except OSError:
                pass
        time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"{server.name} did not answer at {server.endpoint} within {timeout}s")


# Run before the server's own program (which it then becomes): asks Linux
# to send it SIGTERM when the process that started it ends, so that a test
# process that crashes (no fixture teardown) leaves no server behind.
_ENDS_WITH_PARENT = """
import ctypes, os, signal, sys
ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
if os.getppid() != int(sys.argv[1]):
    sys.exit("the process that started the server has ended")
os.execvp(sys.argv[2], sys.argv[2:])
"""


def _start(name: str, command: Callable[[int], list[str]], log_dir: Path) -> Server:
    """Runs ``command(port)`` on a free loopback port, its output in
    ``log_dir``, ending with the process that started it; on another port if
    the one chosen was taken before the server bound it (test runs start
    servers side by side)."""
    for _ in range(5):
        port = free_port()
        log_path = log_dir / f"{name}-{port}.log"
        guard = [sys.executable, "-I", "-c", _ENDS_WITH_PARENT, str(os.getpid())]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [*guard, *command(port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(name, f"http://127.0.0.1:{port}", process, log_path)
        try:
            _wait_until_up(server, port)
        except _PortTaken:
            continue
        return server
    raise RuntimeError(f"{name}: every free port chosen was taken before it could bind it")


def start_moto(log_dir: Path) -> Server:
    """``python -m moto.server`` on a free loopback port."""
    return _start(
        "moto",
        lambda port: [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        log_dir,
    )


ROOT = Path(__file__).resolve().parents[2]
DYNALITE_CLI = ROOT / "node_modules" / "dynalite" / "cli.js"


def start_dynalite(log_dir: Path) -> Server:
    """dynalite (in memory, tables ready at once) on a free loopback port."""
    if not DYNALITE_CLI.exists():
        raise RuntimeError(f"{DYNALITE_CLI} is missing: run `npm ci` in {ROOT}")
    return _start(
        "dynalite",
        lambda port: [
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
        log_dir,
    )


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
    listener.settimeout(0.01)
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


@contextlib.contextmanager
def refusing_port() -> Iterator[int]:
    """``with refusing_port() as port:`` — a port on 127.0.0.1 that is bound
    but never listens, so every connection to it is refused; held until the
    block ends, no other process (another test run's server) can take it."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        holder.bind(("127.0.0.1", 0))
        yield int(holder.getsockname()[1])
    finally:
        holder.close()
