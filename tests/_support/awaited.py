"""``Awaited``: an ``AsyncDB`` the integration suite can drive as it drives a
``DB``, so every scenario runs under asyncio too (``DYNAMORM_TEST_API=async``,
``tests/conftest.py``) without a second copy of any test.

Each call on it is the same call on the ``AsyncDB`` (or on what that hands
back: an ``AsyncQuery``, an async builder, an ``AsyncTransaction``); a
coroutine it returns is awaited to its end on one event loop the test
process keeps on a thread of its own, in a copy of the calling thread's
context (so spans and other context variables carry over, as they do into a
task); an async iterator is read item by item the same way; ``with`` on an
async context manager enters and exits it with ``async with``'s methods.
The values and exceptions come back unchanged. Nothing else is translated:
what a test sees is what the asyncio API returned or raised."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any

__all__ = ["Awaited", "awaited", "close_all", "on_loop"]

_opened: list[Any] = []
"""The ``AsyncDB``s seen through an ``Awaited`` since the last ``close_all``."""


@functools.cache
def loop() -> asyncio.AbstractEventLoop:
    """The test process's event loop, running on its own daemon thread."""
    new = asyncio.new_event_loop()
    threading.Thread(target=new.run_forever, name="awaited-loop", daemon=True).start()
    return new


def on_loop(coro: Coroutine[Any, Any, Any]) -> Any:
    """Awaits ``coro`` on ``loop()`` in a copy of this thread's context and
    returns its result (or raises its exception)."""
    target = loop()
    done: concurrent.futures.Future[Any] = concurrent.futures.Future()

    def finish(task: asyncio.Task[Any]) -> None:
        if task.cancelled():
            done.cancel()
        elif task.exception() is not None:
            done.set_exception(task.exception())
        else:
            done.set_result(task.result())

    def start() -> None:
        # Run in the copied context: the task takes it as its own.
        target.create_task(coro).add_done_callback(finish)

    target.call_soon_threadsafe(start, context=contextvars.copy_context())
    return done.result()


def _items(iterator: AsyncIterator[Any]) -> Iterator[Any]:
    async def step() -> tuple[bool, Any]:
        try:
            return True, await anext(iterator)
        except StopAsyncIteration:
            return False, None

    while True:
        more, item = on_loop(step())
        if not more:
            return
        yield item


def _is_ours(value: Any) -> bool:
    """Whether ``value`` is an object of the asyncio API to wrap."""
    return type(value).__module__.startswith("dynamorm.aio.")


def awaited(value: Any) -> Any:
    """``value`` as a blocking caller sees it (see the module docstring)."""
    if asyncio.iscoroutine(value):
        return awaited(on_loop(value))
    if hasattr(value, "__anext__"):
        return _items(value)
    if _is_ours(value):
        return Awaited(value)
    return value


class Awaited:
    """A blocking view of an object of the asyncio API."""

    __slots__ = ("_target",)

    def __init__(self, target: Any) -> None:
        object.__setattr__(self, "_target", target)
        if type(target).__name__ == "AsyncDB":
            _opened.append(target)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if callable(value) and not isinstance(value, type):

            @functools.wraps(value)
            def call(*args: Any, **kwargs: Any) -> Any:
                return awaited(value(*args, **kwargs))

            return call
        return awaited(value)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target, name, value)

    def __repr__(self) -> str:
        return repr(self._target)

    def __len__(self) -> int:
        return len(self._target)

    def __enter__(self) -> Any:
        return awaited(self._target.__aenter__())

    def __exit__(self, *exc: Any) -> Any:
        return on_loop(self._target.__aexit__(*exc))


def close_all() -> None:
    """Closes, on ``loop()``, every ``AsyncDB`` seen through an ``Awaited``
    since the last call (their connections: at the end of each test), and
    forgets them."""
    while _opened:
        on_loop(_opened.pop().close())
