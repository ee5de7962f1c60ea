"""Store: the session-folder contract (see DESIGN.md "Session folder").

- ``session``: session folder, atomic per-turn writes, transcript.md, migration on load.
- ``annotations``: coach notes and overrides (annotations.json), folded per turn.
"""
