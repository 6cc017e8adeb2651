"""Benchmarks of Veil: each module is a script that prints its figures and records them in
``bench/README.md``. Shared timing, machine and PostgreSQL helpers are in ``_common``.
"""
