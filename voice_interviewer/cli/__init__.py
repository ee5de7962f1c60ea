"""CLI: parse arguments, call ``app``, print; known errors become one line and an exit code.

In the order of a command:

- ``root``: the typer app, its command groups (models, bench, review), global options, consoles.
- ``practice``: ``practice``, ``transcribe``, ``score``, ``eval``.
- ``judged``: ``eval --follow-ups``, the judged follow-ups printed.
- ``bench``: ``bench analysis | voice | loop | review | report | soak | turns``.
- ``setup``: ``models check | install | downloads``, ``config``, ``devices``, ``mic-test``.
- ``review``: ``review list | show | compare | progress | annotate``, ``report``, ``rescore``, ``export``, ``delete``.
- ``doctor``: ``doctor``.
- ``render``: terminal rendering (rich) of a Score JSON object and of a session.
- ``main``: registers the command modules in ``--help`` order; the error-to-exit-code edge.
"""
