"""Content: loaders and validators of the ``prompts/`` data.

- ``prompts``: question bank and round files: read TOML, validate, pick questions, checksum.
- ``content``: analysis content: STAR exemplars, competencies, cue lists, training answers.
"""
