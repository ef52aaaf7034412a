"""The sandbox as its own server: ``python -m fortnox_sandbox`` and ``sgx sandbox`` answer over
real HTTP, dropped connections look dropped to a real client, and a state file survives restarts."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.processes import ServerProcess

pytestmark = pytest.mark.slow
CLIENT = ["--client-id", "cli-client", "--client-secret", "cli-secret"]
REDIRECT = ["--redirect-uri", "https://sgx.test/cb"]


def _sandbox(folder: Path, *arguments: str, name: str = "sandbox") -> ServerProcess:
    command = [sys.executable, "-m", "fortnox_sandbox", *arguments]
    return ServerProcess(command, log=folder / f"{name}.log")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One sandbox for the tests that reset it before use (the ``http`` fixture)."""
    running = _sandbox(tmp_path_factory.mktemp("standalone"), "--control", *CLIENT, *REDIRECT)
    yield running
    running.stop()


@pytest.fixture
def http(server: ServerProcess) -> Iterator[httpx.Client]:
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


def test_standalone_server_registers_the_client_from_the_command_line(tmp_path: Path) -> None:
    # A server of its own: the shared one is reset (and the client registered again over the
    # control plane) by other tests, which would make this pass whatever the command line did.
    running = _sandbox(tmp_path, *CLIENT, *REDIRECT)
    try:
        response = httpx.post(
            running.url + "/oauth-v1/token",
            data={"grant_type": "client_credentials"},
            auth=("cli-client", "cli-secret"),
            headers={"TenantId": "1"},
        )
        stranger = httpx.post(
            running.url + "/oauth-v1/token",
            data={"grant_type": "client_credentials"},
            auth=("other-client", "cli-secret"),
            headers={"TenantId": "1"},
        )
    finally:
        running.stop()
    # The client authenticated (not 401); there is just no service consent yet.
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    assert stranger.status_code == 401


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


def test_control_plane_is_off_without_the_flag(tmp_path: Path) -> None:
    running = _sandbox(tmp_path)
    try:
        assert httpx.get(running.url + "/_sandbox/companies").status_code == 404
    finally:
        running.stop()


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state_file = str(tmp_path / "sandbox.db")
    first = _sandbox(tmp_path, "--control", "--state-file", state_file, name="first")
    try:
        httpx.post(
            first.url + "/_sandbox/companies",
            json={"name": "Kvar AB", "organisation_number": "556000-0001", "tenant_id": 31},
        )
    finally:
        first.stop()
    second = _sandbox(tmp_path, "--control", "--state-file", state_file, name="second")
    try:
        companies = httpx.get(second.url + "/_sandbox/companies").json()
    finally:
        second.stop()
    assert [(c["tenant_id"], c["name"]) for c in companies] == [(31, "Kvar AB")]


def test_sgx_sandbox_command_starts_the_sandbox(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "sgx.cli", "sandbox", "--control"]
    running = ServerProcess(command, log=tmp_path / "sgx-sandbox.log")
    try:
        assert httpx.get(running.url + "/_sandbox/clock").json()["offset_seconds"] == 0
    finally:
        running.stop()
