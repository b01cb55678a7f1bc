"""Runs a real bayesd daemon for tests: ephemeral port, temporary database, clean shutdown.

    from bayesd_client.testing import Daemon, find_bayesd
    with Daemon(find_bayesd()) as d:
        client = d.client()
        ...

The binary comes from ``--bayesd PATH`` on the command line (see :func:`pop_bayesd_arg`), the ``BAYESD_BIN``
environment variable, or ``bayesd`` on ``PATH``.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .client import Client

_BAYESD_ARG: Optional[str] = None


def pop_bayesd_arg(argv: Optional[List[str]] = None) -> Optional[str]:
    """Removes ``--bayesd PATH`` (or ``--bayesd=PATH``) from ``argv`` (default ``sys.argv``) and remembers it."""
    global _BAYESD_ARG
    argv = sys.argv if argv is None else argv
    i = 1
    while i < len(argv):
        if argv[i] == "--bayesd" and i + 1 < len(argv):
            _BAYESD_ARG = argv[i + 1]
            del argv[i:i + 2]
            continue
        if argv[i].startswith("--bayesd="):
            _BAYESD_ARG = argv[i].split("=", 1)[1]
            del argv[i]
            continue
        i += 1
    return _BAYESD_ARG


def find_bayesd() -> str:
    """The daemon binary: ``--bayesd`` argument, else ``$BAYESD_BIN``, else ``bayesd`` on PATH.

    Raises FileNotFoundError (a test failure, not a skip) when none is found.
    """
    path = _BAYESD_ARG or os.environ.get("BAYESD_BIN") or shutil.which("bayesd")
    if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise FileNotFoundError(f"bayesd binary not found (got {path!r}); pass --bayesd PATH or set BAYESD_BIN")
    return os.path.abspath(path)


class DaemonError(RuntimeError):
    """The daemon did not start or stop as expected; the message carries the tail of its log."""


class Daemon:
    """One ``bayesd serve`` process on 127.0.0.1 with an ephemeral port.

    Args:
        binary: path of the bayesd executable.
        db: database file; default a fresh file in a temporary directory removed on :meth:`cleanup`.
        token: passed as ``--token``.
        args: extra command-line arguments (e.g. ``["--max-body-bytes", "4096"]``).
        env: extra environment variables.
        start_timeout: seconds to wait for the port file and ``/healthz``.
    """

    def __init__(self, binary: str, db: Optional[str] = None, token: Optional[str] = None,
                 args: Sequence[str] = (), env: Optional[Dict[str, str]] = None, start_timeout: float = 30.0,
                 host: str = "127.0.0.1"):
        self.binary = binary
        self.tmpdir = tempfile.mkdtemp(prefix="bayesd-test-")
        self.db = db or os.path.join(self.tmpdir, "bayesd.db")
        self.port_file = os.path.join(self.tmpdir, "port")
        self.log_path = os.path.join(self.tmpdir, "daemon.log")
        self.token = token
        self.args = list(args)
        self.env = dict(env or {})
        self.start_timeout = start_timeout
        self.host = host
        self.proc: Optional[subprocess.Popen] = None
        self.port: Optional[int] = None
        self.starts = 0
        self._clients: List[Client] = []

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def command(self, port: int = 0) -> List[str]:
        cmd = [self.binary, "serve", "--db", self.db, "--host", self.host, "--port", str(port),
               "--port-file", self.port_file]
        if self.token:
            cmd += ["--token", self.token]
        return cmd + self.args

    def start(self, port: int = 0) -> "Daemon":
        """Starts the daemon and waits until it answers ``/healthz``."""
        if self.proc is not None and self.proc.poll() is None:
            raise DaemonError("daemon already running")
        try:
            os.unlink(self.port_file)
        except FileNotFoundError:
            pass
        env = dict(os.environ)
        env.pop("BAYESD_TOKEN", None)
        env.update(self.env)
        log = open(self.log_path, "ab")
        log.write(f"\n=== start {self.starts}: {' '.join(self.command(port))}\n".encode())
        log.flush()
        self.proc = subprocess.Popen(self.command(port), stdout=log, stderr=subprocess.STDOUT, env=env,
                                     stdin=subprocess.DEVNULL)
        log.close()
        self.starts += 1
        self.port = self._wait_port()
        self._wait_healthy()
        return self

    def _wait_port(self) -> int:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise DaemonError(f"daemon exited with {self.proc.returncode} before listening\n{self.log_tail()}")
            try:
                with open(self.port_file) as f:
                    text = f.read().strip()
                if text:
                    return int(text)
            except (FileNotFoundError, ValueError):
                pass
            time.sleep(0.02)
        self.kill()
        raise DaemonError(f"no port file after {self.start_timeout}s\n{self.log_tail()}")

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        last = None
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
                conn.request("GET", "/healthz", headers=headers)
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status == 200:
                    return
                last = f"HTTP {resp.status}"
            except OSError as e:
                last = repr(e)
            if self.proc.poll() is not None:
                raise DaemonError(f"daemon exited with {self.proc.returncode}\n{self.log_tail()}")
            time.sleep(0.02)
        raise DaemonError(f"/healthz not OK after {self.start_timeout}s ({last})\n{self.log_tail()}")

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, wait; SIGKILL if it does not exit within ``timeout``. Returns the exit status."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise DaemonError(f"daemon ignored SIGTERM for {timeout}s\n{self.log_tail()}")
        return self.proc.returncode

    def kill(self) -> None:
        """SIGKILL (a crash), then reap."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self, port: int = 0) -> "Daemon":
        """Kills (SIGKILL) and starts again on the same database."""
        self.kill()
        return self.start(port)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def cleanup(self) -> None:
        """Closes the clients it made, stops the daemon and removes the temporary directory."""
        for c in self._clients:
            c.close()
        try:
            self.stop()
        finally:
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    def __enter__(self) -> "Daemon":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.cleanup()

    # -- talking to it -----------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, **kw: Any) -> Client:
        """A client for this daemon (with its token); closed by :meth:`cleanup`."""
        kw.setdefault("token", self.token or "")
        c = Client(self.url, **kw)
        self._clients.append(c)
        return c

    def rss_kib(self) -> int:
        """Resident set size (VmRSS) in KiB."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise DaemonError("no VmRSS")

    def log_tail(self, n: int = 40) -> str:
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            status = ""
            if self.proc is not None and self.proc.poll() is not None:
                rc = self.proc.returncode
                status = f"\n--- daemon exited with {rc}" + (f" (signal {-rc})" if rc < 0 else "") + " ---"
            return "--- daemon log (tail) ---\n" + "\n".join(lines[-n:]) + status
        except OSError:
            return "(no daemon log)"


def raw_request(port: int, method: str, path: str, body: Any = None, headers: Optional[Dict[str, str]] = None,
                timeout: float = 30.0) -> Tuple[int, Any, Dict[str, str]]:
    """One HTTP request on a fresh connection, bypassing the client's validation.

    ``body``: bytes/str sent as is, anything else JSON-encoded (NaN allowed, to test the server).
    Returns ``(status, decoded JSON or text, headers)``.
    """
    if body is None:
        data = None
    elif isinstance(body, bytes):
        data = body
    elif isinstance(body, str):
        data = body.encode("utf-8")
    else:
        data = json.dumps(body).encode("utf-8")
    hdrs = {"Connection": "close"}
    if data is not None:
        hdrs["Content-Type"] = "application/json"
    hdrs.update(headers or {})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        try:
            decoded = json.loads(text) if text.strip() else None
        except ValueError:
            decoded = text
        return resp.status, decoded, {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()
