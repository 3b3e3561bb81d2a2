"""`python -m briefkit.cli`: the command line, as the `briefkit` script runs it."""

from briefkit.cli import main

main()
