"""``veil proxy``: run the masking gateway over a catalogued warehouse."""

from __future__ import annotations

import asyncio

import click

from cli.context import VeilContext
from masking.gateway import GatewayConfig, open_gateway


@click.command()
@click.option("--warehouse", required=True, help="Warehouse name, as given to `veil scan`.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=6543, show_default=True)
@click.option(
    "--max-connections",
    type=click.IntRange(1),
    default=100,
    show_default=True,
    help="Clients past this many get FATAL 53300 (too many clients).",
)
@click.option(
    "--idle-timeout",
    type=click.FloatRange(0),
    default=0,
    show_default=True,
    help="Close clients idle this many seconds between statements (0: never).",
)
@click.option(
    "--statement-timeout",
    type=click.FloatRange(0),
    default=0,
    show_default=True,
    help="Cancel statements running longer than this many seconds (57014; 0: never). "
    "Clients may lower it with SET statement_timeout, not raise it.",
)
@click.option(
    "--tls-cert",
    type=click.Path(dir_okay=False),
    help="PEM certificate (chain) for clients that ask for TLS [setting gateway_tls_cert].",
)
@click.option(
    "--tls-key",
    type=click.Path(dir_okay=False),
    help="Unencrypted PEM private key of --tls-cert [setting gateway_tls_key].",
)
@click.option(
    "--require-tls/--no-require-tls",
    default=None,
    help="Refuse clients that do not use TLS (FATAL 28000) [setting gateway_tls_required].",
)
@click.option(
    "--shutdown-grace",
    type=click.FloatRange(0),
    default=30,
    show_default=True,
    help="On SIGTERM, seconds running statements get to finish.",
)
@click.pass_obj
def proxy(
    obj: VeilContext,
    warehouse: str,
    host: str,
    port: int,
    max_connections: int,
    idle_timeout: float,
    statement_timeout: float,
    tls_cert: str | None,
    tls_key: str | None,
    require_tls: bool | None,
    shutdown_grace: float,
) -> None:
    """Serve WAREHOUSE to PostgreSQL clients, masked and audited per the policy.

    Clients log in with SCRAM-SHA-256 as users added by `veil user add`; every
    statement is enforced (masks, row filters, grants) and audited before rows are
    sent. DuckDB warehouses are run by the gateway; PostgreSQL warehouses are relayed
    (the gateway logs in as the scanned URL's user). Stop with Ctrl-C or SIGTERM: running
    statements get --shutdown-grace seconds to finish.

    With --tls-cert and --tls-key clients that ask for TLS (sslmode=require,
    verify-full) get it, and SCRAM logins are bound to the certificate (libpq's
    channel_binding=require works); --require-tls refuses the others.

    \b
    Examples:
      veil proxy --warehouse demo
      veil proxy --warehouse demo --host 0.0.0.0 --port 6543 --idle-timeout 600
      veil proxy --warehouse demo --tls-cert server.crt --tls-key server.key --require-tls
      psql "host=127.0.0.1 port=6543 user=alice dbname=demo sslmode=disable"
    """
    settings = obj.settings
    config = GatewayConfig(
        host=host,
        port=port,
        max_connections=max_connections,
        idle_timeout=idle_timeout,
        statement_timeout=statement_timeout,
        tls_cert=tls_cert or settings.gateway_tls_cert or None,
        tls_key=tls_key or settings.gateway_tls_key or None,
        tls_required=settings.gateway_tls_required if require_tls is None else require_tls,
        shutdown_grace=shutdown_grace,
    )
    gateway = open_gateway(obj.store, obj.settings, warehouse, config)

    async def serve() -> None:
        await gateway.start()
        click.echo(f"Veil gateway for warehouse {warehouse} on {host}:{gateway.port}")
        sslmode = "require" if gateway.tls is not None else "disable"
        click.echo(
            f'Connect: psql "host={host} port={gateway.port} user=USER dbname={warehouse} '
            f'sslmode={sslmode}"'
        )
        await gateway.serve_forever()

    try:
        asyncio.run(serve())
    finally:
        gateway.audit.close()
        gateway.backend.close()
    click.echo("Gateway stopped.")
