"""Entry point for `python -m kronobarn_cli`."""

from kronobarn_cli.cli import main

main()
