"""What the server's start-up (create_server and the warm-up) must not import: each is paid on every start."""

from __future__ import annotations

from tests.processes import assert_not_loaded, run_python


def test_server_start_up_loads_neither_tomllib_nor_pydantic():
    # tomllib serves config files and the "ignore in config" code action; pydantic validates configuration
    # values that differ from the defaults. A start without a config file needs neither.
    run_python(
        "from iam_lsp.lsp.server import create_server, warm_up\n"
        "server = create_server()\n"
        "warm_up(server)\n"
        + assert_not_loaded("tomllib", "pydantic", "pydantic_core")
    )
