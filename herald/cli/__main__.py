"""`python -m herald.cli`."""

from herald.cli import main

main()
