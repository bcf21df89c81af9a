"""A daemon thread woken to do its work: the publishers' shared loop.

``BackgroundLoop`` runs a function in a thread of its own. The function
waits to be woken (``notify``, or a timeout) with ``wake_or_stop``, does its
work, and may rest with ``rest`` between rounds; ``stop`` ends the loop at
its next wait, a round under way finishing first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class BackgroundLoop:
    """A named daemon thread, its wake-up call and its stop signal."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, run: Callable[[], None]) -> None:
        """Run *run* in the thread, and wake it once so that it looks at once."""
        self._thread = threading.Thread(target=run, name=self.name, daemon=True)
        self._thread.start()
        self.notify()

    def notify(self) -> None:
        """Wake the thread: there may be work."""
        self._wake.set()

    def stop(self) -> None:
        """Stop the thread at its next wait and wait for it to end."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()

    def wake_or_stop(self, timeout: float | None = None) -> bool:
        """Wait until woken or *timeout* seconds pass; return False once the loop is to stop."""
        if not self._stop.is_set():
            self._wake.wait(timeout)
        self._wake.clear()
        return not self._stop.is_set()

    def rest(self, seconds: float) -> None:
        """Wait *seconds*, or less if the loop is stopped meanwhile."""
        self._stop.wait(seconds)
