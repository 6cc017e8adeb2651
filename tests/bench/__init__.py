"""Tests of the benchmarks' own code (corpora, scoring), not of their figures."""
