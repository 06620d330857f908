"""Entry point for `python -m kronobarn_cli`."""

from kronobarn_cli.launch import main

main()
