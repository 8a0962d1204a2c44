"""`python -m widget_server`, the same as the `glossary-widget` command."""

from widget_server.cli import main

# Guarded: the build's worker processes import the main module again (multiprocessing "spawn").
if __name__ == "__main__":
    main(prog_name="glossary-widget")
