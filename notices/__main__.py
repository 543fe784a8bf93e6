"""python -m notices: the same as the notices command."""

from .cli import main

main(prog_name="notices")
