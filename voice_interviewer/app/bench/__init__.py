"""Benchmarks that print figures (``bench ...``), wired to the real models, voices and practice path.

- ``speed``: ``bench analysis``, ``bench loop`` and ``bench voice``.
- ``voicebench``: how soon each voice speaks, how long synthesis takes, how fast it stops (pure timing).
- ``bench turns``, in the order it runs:
  - ``scripts``: which labelled answer is spoken with which kind of pause, and where;
  - ``voices``: the scripts synthesised (espeak-ng, hibari, Piper), resampled and cached;
  - ``replay``: the answers replayed through practice (WAV files or a PulseAudio microphone);
  - ``measure``: WER, each answer classified (cut-off, barge-in, dead air), percentiles, groups;
  - ``turnbench``: the benchmark itself (``bench_turns``);
  - ``report``: the printed tables.
"""
