"""App: the use-cases, and the only place adapters are built.

- ``models``: model folder resolution, assembly from packages, SHA-256 verification.
- ``practice``: composition root: builds adapters from config, runs the commands.
- ``evaluation``: the labelled-answer evaluation harness (``eval``).
- ``coach``: annotate, rescore, delete, write reports.
- ``doctor``: the doctor checks.
- ``soak``: the soak benchmark.
- ``bench``: the turn-taking and voice benchmarks.
"""
