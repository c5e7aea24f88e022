"""An httpx transport whose in-flight request can be cut off from another thread.

Closing an httpx response from a second thread does not wake a thread blocked in ``recv`` on
Linux, and before the response headers arrive there is no response object to close at all.
So every socket read and write first registers its stream with the calling thread's
:class:`ConnectionInterrupter`; ``interrupt()`` then shuts that socket down, which makes the
blocked read return at once and shows the server a disconnect (which stops generation and
its billing on OpenRouter). Pooled connections keep working: only the stream currently used
by the interrupted call is touched, and only while that call is active.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import ssl
import threading
import typing
from collections.abc import Iterator

import httpcore
import httpx

_current = threading.local()


class ConnectionInterrupter:
    """Knows the socket a call is using right now and can shut it down from any thread."""

    __slots__ = ("_active", "_interrupted", "_lock", "_stream")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stream: httpcore.NetworkStream | None = None
        self._interrupted = False
        self._active = True

    @property
    def interrupted(self) -> bool:
        return self._interrupted

    def attach(self, stream: httpcore.NetworkStream) -> None:
        """Called by the stream about to block; shuts it at once if already interrupted."""
        with self._lock:
            if not self._active or (self._stream is stream and not self._interrupted):
                return
            self._stream = stream
            if self._interrupted:
                _shutdown(stream)

    def interrupt(self) -> None:
        with self._lock:
            self._interrupted = True
            if self._active and self._stream is not None:
                _shutdown(self._stream)

    def detach(self) -> None:
        """The call is over: its connection may go back to the pool untouched."""
        with self._lock:
            self._active = False
            self._stream = None


@contextlib.contextmanager
def interruptible(interrupter: ConnectionInterrupter) -> Iterator[None]:
    """Route this thread's socket activity through ``interrupter`` for the block's duration."""
    previous = getattr(_current, "interrupter", None)
    _current.interrupter = interrupter
    try:
        yield
    finally:
        _current.interrupter = previous
        interrupter.detach()


def _shutdown(stream: httpcore.NetworkStream) -> None:
    sock = stream.get_extra_info("socket")
    if not isinstance(sock, socket.socket):
        return
    with contextlib.suppress(OSError):
        # The plain socket method, also on an SSLSocket: it must not touch the TLS state
        # that the reading thread is using.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _register(stream: httpcore.NetworkStream) -> None:
    interrupter: ConnectionInterrupter | None = getattr(_current, "interrupter", None)
    if interrupter is not None:
        interrupter.attach(stream)


class _TrackedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        _register(self)
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _register(self)
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        _register(self)
        return _TrackedStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _TrackingBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = _TrackedStream(
            self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        )
        _register(stream)
        return stream

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = _TrackedStream(self._inner.connect_unix_socket(path, timeout, socket_options))
        _register(stream)
        return stream

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


@functools.cache
def _shared_ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle takes ~0.1 s; one context serves every client and thread.
    return httpx.create_ssl_context()


class InterruptibleTransport(httpx.HTTPTransport):
    """httpx's own HTTP transport, with a connection pool built on the tracking backend."""

    def __init__(self, *, limits: httpx.Limits | None = None) -> None:
        limits = limits or httpx.Limits(max_connections=20, max_keepalive_connections=10)
        context = _shared_ssl_context()
        super().__init__(verify=context, limits=limits)
        # httpx exposes no hook for the network backend; its transport keeps the pool in
        # `_pool`, and replacing it keeps httpx's request and error mapping intact.
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_TrackingBackend(),
        )
