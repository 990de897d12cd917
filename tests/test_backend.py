"""The backend's lifecycle and its error messages, on a port of its own so the session's
backend is never touched."""

from __future__ import annotations

import socket
import threading
import urllib.request

import pytest

from mastery import backend

TEST_PORT = 4599


@pytest.fixture
def own_port(monkeypatch, tmp_path):
    monkeypatch.setenv("MASTERY_PORT", str(TEST_PORT))
    monkeypatch.setenv("MASTERY_STATE_DIR", str(tmp_path))
    backend.down(TEST_PORT)
    yield TEST_PORT
    backend.down(TEST_PORT)


def test_up_is_idempotent_and_down_stops_it(own_port):
    first = backend.up()
    assert first.kind == "embedded" and first.pid
    again = backend.up()
    assert again.pid == first.pid, "a second `mastery up` must reuse the running emulator"
    with urllib.request.urlopen(backend.endpoint() + "/_localstack/health", timeout=5) as r:
        assert b'"dynamodb": "available"' in r.read()
    assert "stopped" in backend.down()
    assert backend.probe().kind == "down"
    assert "nothing to stop" in backend.down()


def test_status_reports_down_with_the_fix(own_port, capsys):
    from mastery import cli

    assert cli.main(["status"]) == 3
    assert "mastery up" in capsys.readouterr().out


def test_require_names_the_fix_when_nothing_runs(own_port):
    with pytest.raises(backend.BackendError, match="mastery up"):
        backend.require()


def test_a_crashed_emulator_is_reported_as_crashed(own_port):
    h = backend.up()
    import os
    import signal
    import time

    os.kill(h.pid, signal.SIGKILL)
    for _ in range(50):
        if backend.probe().kind == "down":
            break
        time.sleep(0.1)
    with pytest.raises(backend.BackendError, match="(?s)has stopped.*mastery up"):
        backend.require()
    assert "stopped unexpectedly" in backend.status().get("note", "")
    assert backend.up().kind == "embedded", "mastery up must recover after a crash"


def _serve_junk(sock):
    while True:
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
        conn.close()


def test_port_taken_by_another_program(own_port):
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((backend.HOST, own_port))
    sock.listen()
    threading.Thread(target=_serve_junk, args=(sock,), daemon=True).start()
    try:
        assert backend.probe().kind == "foreign"
        with pytest.raises(backend.BackendError, match="taken by another program.*MASTERY_PORT"):
            backend.up()
        with pytest.raises(backend.BackendError, match="not as LocalStack"):
            backend.require()
    finally:
        sock.close()


def test_localstack_that_is_unhealthy_is_reported(own_port, monkeypatch):
    fake = backend.Health("localstack", backend.endpoint(), "4.14.0",
                          {"dynamodb": "error", "stepfunctions": "available", "sqs": "available",
                           "s3": "available"})
    monkeypatch.setattr(backend, "probe", lambda p=None, timeout=2.0: fake)
    with pytest.raises(backend.BackendError, match="dynamodb.*docker compose"):
        backend.up()
    with pytest.raises(backend.BackendError, match="dynamodb.*docker compose"):
        backend.require()  # what every notebook's first client calls


def test_down_leaves_a_neighbours_emulator_on_the_next_port_alone(own_port):
    """Port p+1 is stopped with p only when it is p's sidecar: two learners (or two test
    workers) on adjacent ports must not stop each other's emulator."""
    neighbour = own_port + 1
    backend.down(neighbour)
    try:
        backend.up(own_port)
        backend.up(neighbour)
        backend.down(own_port)
        assert backend.probe(own_port).kind == "down"
        assert backend.probe(neighbour).kind == "embedded", "down(p) stopped the emulator on p+1"
    finally:
        backend.down(neighbour)
    assert backend.probe(neighbour).kind == "down"
