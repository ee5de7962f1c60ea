"""Review: the coach's read models over saved sessions (no I/O beyond reading them, no HTML).

- ``catalog``: saved sessions: scan, filter, the attempts to compare, progress, export.
- ``stories``: a main answer with its follow-ups scored as one story, and the attempts of a retried question.
- ``report``: what the HTML report shows, as dataclasses (``adapters.html_report`` draws it).
- ``mentor``: ``export --format md``, the session written for a mentor.
"""
