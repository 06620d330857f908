"""The installed command's entry point: Ctrl-C while the program is still loading ends with
the same Swedish line as Ctrl-C later (`cli.main` says it from then on), not a traceback."""

import sys

from kronobarn_cli.errors import EXIT_INTERRUPTED


def main() -> None:
    try:
        from kronobarn_cli import cli  # noqa: PLC0415 - what may be interrupted
    except KeyboardInterrupt:
        sys.stderr.write("\nAvbrutet.\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    cli.main()
