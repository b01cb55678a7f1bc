"""HTTP transport: one keep-alive connection per thread, JSON in and out, retries for idempotent calls.

Retry policy. A request is retried (with exponential backoff) when the connection is refused, reset or dropped:

* for idempotent requests (GET, DELETE, and POSTs the caller marks idempotent, such as ``predict``), on any such
  failure, since repeating them cannot change the result;
* for all other requests only when the connection could not be opened at all (refused before anything was sent),
  because a request that reached the daemon may have taken effect even though its answer was lost. The caller gets a
  :class:`ConnectionFailedError` and decides (e.g. re-reads the trial).

Before reusing an idle keep-alive connection the transport checks whether the server has closed it (the socket
reads as EOF), so the common "server dropped the idle connection" case never reaches a non-idempotent request.
"""

from __future__ import annotations

import http.client
import json
import os
import select
import socket
import ssl
import threading
import time
import urllib.parse
import weakref
from typing import Any, Mapping, Optional

from .errors import ConnectionFailedError, error_from_response

_USER_AGENT = "bayesd-python/0.1"

# Errors that mean "the connection is unusable"; the request may or may not have reached the daemon.
_CONNECTION_ERRORS = (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine,
                      http.client.IncompleteRead, socket.timeout, TimeoutError, OSError)


def _json_default(obj: Any) -> Any:
    """Encodes numpy scalars/arrays (via .item()/.tolist()) and other number-likes without importing numpy."""
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if hasattr(obj, "item"):
        return obj.item()
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def encode_json(obj: Any) -> bytes:
    """JSON-encodes a request body. NaN and infinities are refused here (they are not JSON)."""
    try:
        return json.dumps(obj, default=_json_default, allow_nan=False, separators=(",", ":")).encode("utf-8")
    except ValueError as e:
        raise ValueError(f"request body contains a non-finite number (NaN/Infinity are not JSON; report a failed "
                         f"evaluation with trial.fail()): {e}") from None


class _Conn:
    """A connection plus the time it was last used."""

    def __init__(self, conn: http.client.HTTPConnection):
        self.conn = conn
        self.pid = os.getpid()
        self.used = False

    def dropped(self) -> bool:
        """True when the server closed this idle connection (readable socket = EOF or stray bytes)."""
        sock = self.conn.sock
        if sock is None:
            return False  # not connected yet; http.client will connect
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)


class Transport:
    """Sends JSON requests to one daemon. Thread-safe: each thread gets its own keep-alive connection."""

    def __init__(self, url: str, token: Optional[str], timeout: float, retries: int, backoff: float,
                 max_backoff: float = 2.0):
        parsed = urllib.parse.urlsplit(url if "://" in url else "http://" + url)
        if parsed.scheme not in ("http", "https"):
            raise ValueError(f"unsupported URL scheme {parsed.scheme!r} (http or https)")
        if not parsed.hostname:
            raise ValueError(f"URL {url!r} has no host")
        self.scheme = parsed.scheme
        self.host = parsed.hostname
        self.port = parsed.port or (443 if parsed.scheme == "https" else 80)
        self.base_path = parsed.path.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._local = threading.local()
        self._all = weakref.WeakSet()
        self._lock = threading.Lock()

    # -- connections -------------------------------------------------------------------------------------------

    def _new_conn(self) -> _Conn:
        if self.scheme == "https":
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                               context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        c = _Conn(conn)
        with self._lock:
            self._all.add(conn)
        return c

    def _conn(self) -> _Conn:
        c = getattr(self._local, "conn", None)
        if c is not None and (c.pid != os.getpid() or c.dropped()):
            # A forked child must not share its parent's socket; a dropped connection is replaced.
            if c.pid == os.getpid():
                c.conn.close()
            c = None
        if c is None:
            c = self._new_conn()
            self._local.conn = c
        return c

    def _discard(self) -> None:
        c = getattr(self._local, "conn", None)
        if c is not None:
            try:
                c.conn.close()
            except OSError:
                pass
            self._local.conn = None

    def close(self) -> None:
        """Closes every connection this transport opened (in all threads)."""
        with self._lock:
            conns = list(self._all)
            self._all = weakref.WeakSet()
        for conn in conns:
            try:
                conn.close()
            except OSError:
                pass
        self._local = threading.local()

    # -- requests ----------------------------------------------------------------------------------------------

    def path(self, *segments: Any, query: Optional[Mapping[str, Any]] = None) -> str:
        """Builds ``/base/api/v1/<segments>`` with each segment percent-encoded (a study name is one segment)."""
        p = self.base_path + "/" + "/".join(urllib.parse.quote(str(s), safe="") for s in segments)
        if query:
            q = {k: v for k, v in query.items() if v is not None}
            if q:
                p += "?" + urllib.parse.urlencode(q)
        return p

    def request(self, method: str, path: str, body: Any = None, *, idempotent: Optional[bool] = None,
                raw: bool = False) -> Any:
        """Sends one request and returns the decoded JSON answer (``raw=True``: the text).

        Raises a :class:`BayesdError` subclass for a 4xx/5xx answer, :class:`ConnectionFailedError` when the
        daemon cannot be reached within the retry policy (see the module docstring).
        """
        if idempotent is None:
            idempotent = method in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")
        data = encode_json(body) if body is not None else None
        headers = {"Accept": "application/json", "User-Agent": _USER_AGENT}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        attempt = 0
        while True:
            c = self._conn()
            sent = False
            try:
                if c.conn.sock is None:
                    c.conn.connect()
                sent = True
                c.conn.request(method, path, body=data, headers=headers)
                resp = c.conn.getresponse()
                status = resp.status
                payload = resp.read()
                if resp.will_close:
                    self._discard()
            except _CONNECTION_ERRORS as e:
                self._discard()
                retryable = idempotent or not sent
                if not retryable or attempt >= self.retries:
                    where = f"{self.scheme}://{self.host}:{self.port}"
                    raise ConnectionFailedError(
                        "connection_failed",
                        f"{method} {path} to {where} failed: {type(e).__name__}: {e}"
                        + ("" if retryable else " (not retried: the request may have reached the daemon)"),
                        None, None, None) from e
                time.sleep(min(self.max_backoff, self.backoff * (2 ** attempt)))
                attempt += 1
                continue
            return self._decode(status, payload, raw)

    @staticmethod
    def _decode(status: int, payload: bytes, raw: bool) -> Any:
        text = payload.decode("utf-8", errors="replace")
        if 200 <= status < 300:
            if raw:
                return text
            if not text.strip():
                return None
            try:
                return json.loads(text)
            except ValueError:
                return text
        try:
            body = json.loads(text) if text.strip() else None
        except ValueError:
            body = text
        raise error_from_response(status, body)

