"""The relay's client side of PostgreSQL logins: SCRAM-SHA-256, MD5 and cleartext, against
the gateway's own SCRAM server and a scripted fake warehouse."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from masking.gateway.upstream import (
    PostgresWarehouse,
    ScramClient,
    Upstream,
    UpstreamError,
    md5_password,
)
from masking.pgwire import backend as be
from masking.pgwire import frontend as fe
from masking.pgwire.scram import ScramServer
from policies.credentials import ScramVerifier

KEY = b"k" * 32


def test_scram_client_logs_in_to_a_scram_server() -> None:
    server = ScramServer("svc", ScramVerifier.derive("s3cret"), mock_key=KEY)
    client = ScramClient("s3cret")
    server_first = server.first("SCRAM-SHA-256", client.first())
    server_final = server.final(client.final(server_first))
    assert server.authenticated
    client.verify(server_final)


def test_scram_client_rejects_a_forged_server_signature() -> None:
    server = ScramServer("svc", ScramVerifier.derive("s3cret"), mock_key=KEY)
    client = ScramClient("s3cret")
    server.final(client.final(server.first("SCRAM-SHA-256", client.first())))
    with pytest.raises(UpstreamError):
        client.verify(b"v=AAAA")


def test_md5_password_is_postgres_formula() -> None:
    inner = hashlib.md5(b"pwuser").hexdigest()
    expected = "md5" + hashlib.md5(inner.encode() + b"salt").hexdigest()
    assert md5_password("user", "pw", b"salt") == expected


async def _fake_warehouse(method: str, password: str) -> tuple[asyncio.Server, int, list[str]]:
    """A server that asks for ``method`` and accepts ``password``; records what it saw."""
    seen: list[str] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        frames = fe.FrontendReader()
        pending: list[fe.FrontendMessage] = []

        async def next_message() -> fe.FrontendMessage:
            while not pending:
                pending.extend(frames.feed(await reader.read(4096)))
            return pending.pop(0)

        startup = await next_message()
        assert isinstance(startup, fe.StartupMessage)
        seen.append(f"user={startup.user} database={startup.database}")
        if method == "md5":
            writer.write(be.AuthenticationMD5Password(b"abcd").encode())
            answer = await next_message()
            assert isinstance(answer, fe.AuthResponse)
            ok = answer.password() == md5_password("svc", password, b"abcd")
        else:
            writer.write(be.AuthenticationCleartextPassword().encode())
            answer = await next_message()
            assert isinstance(answer, fe.AuthResponse)
            ok = answer.password() == password
        if not ok:
            writer.write(be.ErrorResponse.build("28P01", "password authentication failed").encode())
        else:
            writer.write(be.AuthenticationOk().encode())
            writer.write(be.ParameterStatus("server_version", "15.9").encode())
            writer.write(be.BackendKeyData(4242, b"\1\2\3\4").encode())
            writer.write(be.ReadyForQuery("I").encode())
        await writer.drain()
        await reader.read(100)
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], seen


@pytest.mark.parametrize("method", ["md5", "password"])
def test_upstream_login_with_a_password(method: str) -> None:
    async def scenario() -> None:
        server, port, seen = await _fake_warehouse(method, "pw")
        async with server:
            good = PostgresWarehouse("127.0.0.1", port, "svc", "pw", "wh")
            upstream = await Upstream.open(good, {"application_name": "x", "options": "-c a=b"})
            assert (upstream.pid, upstream.secret) == (4242, b"\1\2\3\4")
            assert upstream.parameters == {"server_version": "15.9"}
            upstream.close()
            assert seen == ["user=svc database=wh"]
            bad = PostgresWarehouse("127.0.0.1", port, "svc", "nope", "wh")
            with pytest.raises(UpstreamError) as caught:
                await Upstream.open(bad, {})
            assert caught.value.sqlstate == "28P01"
            missing = PostgresWarehouse("127.0.0.1", port, "svc", None, "wh")
            with pytest.raises(UpstreamError, match="has none"):
                await Upstream.open(missing, {})

    asyncio.run(scenario())


def test_unreachable_warehouse_is_08006() -> None:
    async def scenario() -> None:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        with pytest.raises(UpstreamError) as caught:
            await Upstream.open(PostgresWarehouse("127.0.0.1", port, "svc", None, "wh"), {})
        assert caught.value.sqlstate == "08006"

    asyncio.run(scenario())
