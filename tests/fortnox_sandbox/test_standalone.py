"""The sandbox as its own server: ``python -m fortnox_sandbox`` and ``sgx sandbox`` answer over
real HTTP, dropped connections look dropped to a real client, and a state file survives restarts."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow
STARTUP_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, command: list[str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the sandbox server exited"
            try:
                httpx.get(self.url + "/oauth-v1/token", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("the sandbox server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _sandbox(*arguments: str) -> Server:
    return Server([sys.executable, "-m", "fortnox_sandbox", *arguments])


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = _sandbox(
        "--control",
        "--client-id",
        "cli-client",
        "--client-secret",
        "cli-secret",
        "--redirect-uri",
        "https://sgx.test/cb",
    )
    yield running
    running.stop()


@pytest.fixture
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url) as client:
        client.post("/_sandbox/reset")
        client.post(
            "/_sandbox/clients",
            json={
                "client_id": "cli-client",
                "client_secret": "cli-secret",
                "redirect_uris": ["https://sgx.test/cb"],
            },
        )
        yield client


def _refresh_token(http: httpx.Client) -> str:
    company = http.post("/_sandbox/companies", json={"name": "A", "organisation_number": "1"})
    tokens = http.post(
        "/_sandbox/tokens",
        json={
            "tenant_id": company.json()["tenant_id"],
            "client_id": "cli-client",
            "scopes": ["customer"],
        },
    )
    return str(tokens.json()["refresh_token"])


# A connection closed without an answer: seen as a protocol error (closed before the response)
# or, when the peer's reset arrives first, as a read error.
DROPPED = (httpx.RemoteProtocolError, httpx.ReadError)


def _refresh(http: httpx.Client, token: str) -> httpx.Response:
    return http.post(
        "/oauth-v1/token",
        data={"grant_type": "refresh_token", "refresh_token": token},
        auth=("cli-client", "cli-secret"),
    )


def test_standalone_server_registers_the_client_from_the_command_line(server: Server) -> None:
    response = httpx.post(
        server.url + "/oauth-v1/token",
        data={"grant_type": "client_credentials"},
        auth=("cli-client", "cli-secret"),
        headers={"TenantId": "1"},
    )
    # The client authenticated (not 401); there is just no service consent yet.
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_standalone_server_serves_the_control_plane(http: httpx.Client) -> None:
    http.post("/_sandbox/companies", json={"name": "Standalone AB", "organisation_number": "1"})
    assert [c["name"] for c in http.get("/_sandbox/companies").json()] == ["Standalone AB"]


def test_reset_fault_drops_a_real_connection(http: httpx.Client) -> None:
    token = _refresh_token(http)
    http.post("/_sandbox/faults", json={"kind": "reset", "path": "token", "count": 1})
    with pytest.raises(DROPPED):
        _refresh(http, token)
    assert _refresh(http, token).status_code == 200


def test_commit_then_drop_over_real_http_applies_the_write(http: httpx.Client) -> None:
    token = _refresh_token(http)
    http.post("/_sandbox/faults", json={"kind": "commit_then_drop", "path": "token", "count": 1})
    with pytest.raises(DROPPED):
        _refresh(http, token)
    assert _refresh(http, token).json()["error"] == "invalid_grant"


def test_control_plane_is_off_without_the_flag() -> None:
    running = _sandbox()
    try:
        assert httpx.get(running.url + "/_sandbox/companies").status_code == 404
    finally:
        running.stop()


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state_file = str(tmp_path / "sandbox.db")
    first = _sandbox("--control", "--state-file", state_file)
    try:
        httpx.post(
            first.url + "/_sandbox/companies",
            json={"name": "Kvar AB", "organisation_number": "556000-0001", "tenant_id": 31},
        )
    finally:
        first.stop()
    second = _sandbox("--control", "--state-file", state_file)
    try:
        companies = httpx.get(second.url + "/_sandbox/companies").json()
    finally:
        second.stop()
    assert [(c["tenant_id"], c["name"]) for c in companies] == [(31, "Kvar AB")]


def test_sgx_sandbox_command_starts_the_sandbox() -> None:
    running = Server([sys.executable, "-m", "sgx.cli", "sandbox", "--control"])
    try:
        assert httpx.get(running.url + "/_sandbox/clock").json()["offset_seconds"] == 0
    finally:
        running.stop()
