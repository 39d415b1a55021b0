"""A real webhook receiver on a loopback port, for tests of what the server and the bots
send: it records each request, answers as told, and can speak TLS."""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int


class Receiver:
    """A webhook receiver: records every request and answers each path with the statuses
    it was told, one per request, then 200. With `tls` it speaks https and records the
    name each client asked for (SNI); it counts every connection it accepts. Unscripted
    requests get `status`: 202 is what Teams Workflows answers."""

    def __init__(self, tls: ssl.SSLContext | None = None, status: int = 200) -> None:
        self.requests: list[Received] = []
        self.server_names: list[str | None] = []
        self.connections = 0
        self._scripts: dict[str, list[int]] = {}
        self._status = status
        self._lock = threading.Lock()
        self.scheme = "https" if tls else "http"
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                status = receiver._answer(self.path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver._lock:
                    receiver.requests.append(Received(self.path, headers, body, status))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def verify_request(self, request: Any, client_address: Any) -> bool:
                with receiver._lock:
                    receiver.connections += 1
                return True

        self.http = Server(("127.0.0.1", 0), Handler)
        if tls is not None:
            tls.sni_callback = lambda _socket, name, _context: self.server_names.append(name)
            self.http.socket = tls.wrap_socket(self.http.socket, server_side=True)
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.http.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def script(self, path: str, statuses: list[int]) -> None:
        with self._lock:
            self._scripts[path] = list(statuses)

    def _answer(self, path: str) -> int:
        with self._lock:
            waiting = self._scripts.get(path)
            return waiting.pop(0) if waiting else self._status

    def at(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()
