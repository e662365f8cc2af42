import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Run chidao for a demo or for development on http://127.0.0.1:$PORT (default 8000). "
        "Collects static files, then starts Django's own server with static serving on even though "
        "DEBUG is off. Not for production: there, run gunicorn behind nginx (docs/deploy.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to bind (default 127.0.0.1).")
        parser.add_argument("--port", default=None, help="Port to bind (default: $PORT, else 8000).")

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"] or os.environ.get("PORT") or "8000"
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise CommandError(f"invalid port: {port!r}")
        host = options["host"]
        call_command("collectstatic", interactive=False, verbosity=0)
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(f"chidao: http://{shown}:{port}/ (Ctrl-C to stop)")
        # runserver's --insecure serves /static/ with DEBUG off; --noreload keeps one process,
        # so stopping `serve` by its pid stops the server.
        call_command(
            "runserver",
            f"{shown}:{port}",
            insecure_serving=True,
            use_reloader=False,
            use_ipv6=":" in host,
        )
