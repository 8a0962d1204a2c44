"""What the tests and the benchmarks share: a live server (server.py), the Chromium they launch
(chromium.py), a throwaway PostgreSQL cluster (postgres.py) and system tools (tools.py); and what
several test files share: the widget's fixture pages and console records (widget.py), the card's
pages, timings and event log (card.py), the labelled corpus and its scoring (corpus.py), and the
matching vectors run by both matchers (vectors.py). Importable as `tests.support` from the
checkout's root, where pytest and `python -m benchmarks` both run."""
