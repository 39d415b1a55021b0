"""`paja serve`: one server process (flags and `PAJA_*` variables are read in config.py);
`paja bot ...`: bots that work with one session over its API (paja_client/);
`paja teams-app`: the Teams app package of a deployment (teams_app.py)."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from pathlib import Path
from typing import Any

import uvicorn

from paja_client import summary_bot

from ..http.app import create_app
from ..sync.uvicorn_socket import DirectFramesProtocol
from . import config
from .teams_app import TeamsApp, TeamsAppError

# Tokens in query strings, and join codes in paths (a code lets anyone join the session).
SECRET_IN_URL = re.compile(r"([?&#](?:token|join|key)=|/api/join/|(?:^|(?<=\s))/c/)[^&/?\s\"']+")


class RedactSecrets(logging.Filter):
    """Tokens ride in WebSocket query strings and join codes in paths; uvicorn would log
    them with every request line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = SECRET_IN_URL.sub(r"\1[redacted]", record.msg)
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(
                SECRET_IN_URL.sub(r"\1[redacted]", a) if isinstance(a, str) else a for a in args
            )
        return True


def log_config(level: str) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": RedactSecrets}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "filters": ["redact"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
        },
    }


def serve(settings: config.Settings) -> None:
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=log_config(settings.log_level),
        # uvicorn trusts X-Forwarded-* from 127.0.0.1 unless told: trust only the proxies
        # named, so per-address limits key on the real client address and nobody forges it.
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or [],
        ws=DirectFramesProtocol,
        ws_max_size=settings.max_message_bytes,
        ws_per_message_deflate=False,
        ws_ping_interval=20,
        ws_ping_timeout=20,
        timeout_graceful_shutdown=10,
        lifespan="on",
    )


def write_teams_app(args: argparse.Namespace) -> int:
    try:
        app = TeamsApp(args.base_url, args.name, args.privacy_url, args.terms_url)
    except TeamsAppError as err:
        print(f"paja teams-app: {err}", file=sys.stderr)
        return 2
    app.write(args.out)
    print(f"wrote {args.out} (app id {app.app_id}) for {app.base_url}")
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="paja", description="Paja facilitation server")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="run one server")
    config.add_arguments(serve_parser)
    bot_parser = commands.add_parser("bot", help="bots that work with one session")
    bots = bot_parser.add_subparsers(dest="bot", required=True)
    summary_bot.add_arguments(bots.add_parser("summary", help="print, post or send the summary"))
    teams_parser = commands.add_parser(
        "teams-app", help="write the Teams app package of a deployment (docs/teams.md)"
    )
    teams_parser.add_argument(
        "--base-url", required=True, help="the deployment's public https:// URL"
    )
    teams_parser.add_argument("--name", default="Paja", help="the app's name in Teams (≤ 30)")
    teams_parser.add_argument("--privacy-url", help="privacy statement (default: the base URL)")
    teams_parser.add_argument("--terms-url", help="terms of use (default: the base URL)")
    teams_parser.add_argument("--out", type=Path, default=Path("paja-teams.zip"))
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(config.from_arguments(args))
    elif args.command == "bot":
        sys.exit(summary_bot.run(args))
    elif args.command == "teams-app":
        sys.exit(write_teams_app(args))
    else:  # pragma: no cover - argparse rejects unknown commands
        parser.print_help()
        sys.exit(2)
