"""Store: the session-folder contract (see DESIGN.md "Session folder").

In the order of a turn:

- ``session``: the session folder, atomic per-turn writes of ``session.json``, names made safe.
- ``codec``: records <-> JSON, both directions: the Score JSON, saved turns and feedback, ``read_session``.
- ``markdown``: ``transcript.md``, the readable copy written with every save.
- ``schema``: reading a session back: newer schemas refused, older ones migrated, the shape checked.
- ``annotations``: coach notes and overrides (``annotations.json``), folded per turn.
"""
