"""Oversized uploads against a real server: refused while streaming, never read whole."""

from __future__ import annotations

import select
import socket

import httpx
import pytest

pytestmark = pytest.mark.slow

MB = 1024 * 1024


def resident_token(base: str) -> str:
    token: str = httpx.post(f"{base}/api/v1/auth/device", json={}).json()["token"]
    return token


def send_chunked(base: str, token: str, total: int) -> tuple[int, str]:
    """Stream `total` bytes as a chunked upload; return bytes sent before the server answered."""
    host, port = base.removeprefix("http://").split(":")
    head = (
        f"POST /api/v1/media/ HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = f"{MB:x}\r\n".encode() + b"\0" * MB + b"\r\n"
    sent = 0
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.encode())
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break  # the server has answered (or closed): stop sending
            try:
                sock.sendall(chunk)
            except (TimeoutError, BrokenPipeError, ConnectionResetError):
                break  # the server stopped reading
            sent += MB
        return sent, sock.recv(65536).decode(errors="replace")


def test_a_200_mb_stream_is_cut_off_early(api: str) -> None:
    sent, answer = send_chunked(api, resident_token(api), 200 * MB)
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert sent < 40 * MB


def test_a_declared_200_mb_body_is_refused_before_it_is_sent(api: str) -> None:
    host, port = api.removeprefix("http://").split(":")
    head = (
        f"POST /api/v1/media/ HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {resident_token(api)}\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\n"
        f"Content-Length: {200 * MB}\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.encode())  # headers only: the body never comes
        answer = sock.recv(65536).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert '"code":"request.too_large"' in answer
