"""A listening socket on loopback that records every connection made to it.

It accepts on a thread of its own, so it notices connections even while the test's event
loop is busy (the test client runs the app on it), and drains what is still queued before
it reports.
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType


class ConnectionRecorder:
    """`with ConnectionRecorder() as listener:` … `listener.connections` once it is closed."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.05)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept_until_stopped, daemon=True)
        self.connections: list[tuple[str, int]] = []

    @property
    def port(self) -> int:
        port: int = self._socket.getsockname()[1]
        return port

    def _accept_once(self) -> bool:
        try:
            conn, peer = self._socket.accept()
        except (TimeoutError, BlockingIOError):
            return False
        self.connections.append(peer)
        conn.close()
        return True

    def _accept_until_stopped(self) -> None:
        while not self._stop.is_set():
            self._accept_once()

    def __enter__(self) -> ConnectionRecorder:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.setblocking(False)
        # Whatever connected before the stop is still counted.
        while self._accept_once():
            continue
        self._socket.close()
