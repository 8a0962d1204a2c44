"""`python -m widget_server`, the same as the `glossary-widget` command."""

from widget_server.cli import main

main(prog_name="glossary-widget")
