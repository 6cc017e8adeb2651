"""A bare asyncio TCP forwarder: the ceiling of any Python proxy on this machine.

bench/gateway.py runs it between pgbench and PostgreSQL as a baseline: it copies bytes
both ways and does nothing else (no parsing, no audit), with the same event loop and
socket settings the gateway uses. Run: ``python bench/_forwarder.py PORT UPSTREAM_PORT``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(256 * 1024):
            writer.write(data)
            await writer.drain()
    writer.close()


async def _serve(port: int, upstream: int) -> None:
    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream)
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    server = await asyncio.start_server(client, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1]), int(sys.argv[2])))
