"""Query-log reader tests."""
