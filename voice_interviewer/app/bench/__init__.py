"""Benchmarks that print figures.

- ``turnbench``: ``bench turns``: spoken answers replayed through the real practice path.
- ``voicebench``: ``bench voice``: how soon each voice speaks, how long synthesis takes, how fast it stops.
"""
