"""CLI: parse arguments, call ``app``, print; known errors become one line and an exit code.

- ``main``: the typer app and its commands, and the error-to-exit-code edge.
- ``render``: terminal rendering (rich) of a Score JSON object and of a session.
"""
