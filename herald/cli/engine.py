"""The local Prefect engine that publish and recap run on: status, start, stop."""

from __future__ import annotations

from herald.cli.app import engine_app
from herald.cli.console import EXIT_FAILED, ConfigOption, err, fail, out, settings_from


@engine_app.command("status")
def engine_status(config: ConfigOption = None) -> None:
    """Where flows run: the server in PREFECT_API_URL, or herald's resident engine (its URL, pid and home)."""
    from herald.run import engine

    settings = settings_from(config)
    url = engine.configured_url()
    if url:
        out.print(f"PREFECT_API_URL is set: flows run on {url}; herald starts no engine", markup=False)
        return
    record = engine.read_record(settings)
    if record is None:
        when = ("every publish starts and stops a temporary engine" if settings.engine.mode == "temporary"
                else "the next publish or `herald engine start` starts it")
        out.print(f"no engine running (mode {settings.engine.mode}: {when})", markup=False)
        return
    state = "answering" if engine.healthy(record["url"]) else "not answering yet"
    out.print(f"running at {record['url'][:-4]} ({state}; the Prefect UI is there), pid {record['pid']}, home "
              f"{engine.shown(engine.engine_home(settings))}; `herald engine stop` stops it", markup=False)


@engine_app.command("start")
def engine_start(config: ConfigOption = None) -> None:
    """Start the resident engine now (publish starts it when needed) and wait until it answers."""
    from herald.run import engine

    settings = settings_from(config)
    if engine.configured_url():
        out.print("PREFECT_API_URL is set: flows run on that server; herald starts no engine", markup=False)
        return
    connection = engine.connect(settings.model_copy(update={"engine": settings.engine.model_copy(
        update={"mode": "resident"})}))
    try:
        with err.status("starting the Prefect engine…"):
            engine.wait_ready(connection, settings)
    except engine.EngineError as error:
        fail(error, EXIT_FAILED)
    if connection.started:
        out.print(engine.started_notice(connection), markup=False)
    else:
        out.print(f"already running at {connection.url[:-4]} (pid {connection.pid})", markup=False)


@engine_app.command("stop")
def engine_stop(config: ConfigOption = None) -> None:
    """Stop the resident engine (the next publish starts it again)."""
    from herald.run import engine

    settings = settings_from(config)
    pid = engine.stop(settings)
    out.print(f"stopped the Prefect engine (pid {pid})" if pid else "no engine running", markup=False)
