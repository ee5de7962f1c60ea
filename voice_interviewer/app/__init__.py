"""App: the use-cases, and the only place adapters are built (the CLI and library users call these).

In the order of a turn, then the other commands:

- ``models``: model folder resolution, assembly from packages, SHA-256 verification.
- ``loading``: each model loaded once per process (``MODELS``, a ``ModelCache``), warmed on its thread.
- ``devices``: ``devices`` and ``mic-test``.
- ``voices``: the interviewer's voice (hibari, pyttsx3, Piper; printing as the fallback).
- ``listen``: endpoint settings, the story check and the streaming answer source for ``practice``.
- ``practice``: the composition root of an interview round.
- ``scoring``: ``score`` and ``transcribe`` of one answer.
- ``evaluation``: the labelled-answer evaluation harness (``eval``).
- ``judged``: judged sets: the follow-ups asked after labelled answers, and blind verdicts on them.
- ``judged_feedback``: the end-of-round feedback of typed rounds, claim by claim, and blind verdicts on it.
- ``plan_eval``: ``eval`` on labelled question kinds and on labelled situational answers (the plan rubric).
- ``coach``: annotate, rescore, delete, write reports.
- ``setup``: ``models check | install | downloads``.
- ``doctor``: the doctor checks.
- ``soak``: the soak benchmark.
- ``bench``: the speed, turn-taking and voice benchmarks.
"""
