"""Review: the coach's read models over saved sessions (no I/O beyond reading them, no HTML).

- ``catalog``: saved sessions: scan, filter, compare attempts, progress, export.
- ``report``: what the HTML report shows, as dataclasses (``adapters.html_report`` draws it).
"""
