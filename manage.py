#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

Run from a checkout, it first reads the development settings `make` wrote to `.env` beside it
(DJANGO_DEBUG=true), so the commands README prints work when typed by hand; a variable already
set in the environment wins over the file. Only this entry point reads `.env`: gunicorn, through
platform_site/wsgi.py, never does, and refuses to start without SECRET_KEY when debug is off.
"""

import os
import shlex
import sys
from pathlib import Path

CHECKOUT = Path(__file__).absolute().parent


def read_dotenv(path: Path) -> dict[str, str]:
    """`NAME=value` lines, with blank lines, `#` comments and quotes around a value allowed."""
    values = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.removeprefix("export ").partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name.isidentifier():
            sys.exit(f"{path}:{number}: expected NAME=value, got {line!r}")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


def main() -> None:
    dotenv = CHECKOUT / ".env"
    if dotenv.is_file():
        for name, value in read_dotenv(dotenv).items():
            os.environ.setdefault(name, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_site.settings")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as error:
        venv_python = CHECKOUT / ".venv" / "bin" / "python"
        command = shlex.join([os.path.relpath(venv_python), *sys.argv])
        hint = "run" if venv_python.exists() else "run `make install` once, then"
        raise SystemExit(f"{error}: this Python has no Django; {hint} {command}") from error
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
