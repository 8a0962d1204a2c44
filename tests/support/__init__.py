"""What the tests and the benchmarks share: a live server (server.py), the Chromium they launch
(chromium.py), a throwaway PostgreSQL cluster (postgres.py) and system tools (tools.py).
Importable as `tests.support` from the checkout's root, where pytest and `python -m benchmarks`
both run."""
