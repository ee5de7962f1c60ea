"""Coverage-guided fuzzing (atheris) of the parsers a user can feed.

    .venv/bin/python fuzz/run.py session --seconds 60
    .venv/bin/python fuzz/run.py all --seconds 30

Targets: ``session`` (session.json -> load, migrate, every viewer and the HTML report model),
``annotations``, ``config`` (the TOML config file), ``audio`` (WAV/any file -> decoded samples),
``text`` (``score --text-file`` bytes -> text -> sentences). The property is the same
everywhere: input is accepted, or refused with the project's own error (one line + hint);
anything else is a crash, which atheris saves as ``crash-*`` for a regression test.
The hypothesis tests in tests/robustness/test_hostile.py run in CI; this finds deeper cases offline.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from voice_interviewer.adapters.audio_file import read_audio
    from voice_interviewer.app.scoring import read_text_file
    from voice_interviewer.config import load_config
    from voice_interviewer.errors import VoiceInterviewerError
    from voice_interviewer.review.catalog import answer_metrics, compare, export, progress, summarise
    from voice_interviewer.review.report import session_report
    from voice_interviewer.store.annotations import load_annotations
    from voice_interviewer.store.markdown import render_markdown
    from voice_interviewer.store.schema import load_session

_TMP = Path(tempfile.mkdtemp(prefix="vi-fuzz-"))


def _write(name: str, data: bytes) -> Path:
    path = _TMP / name
    path.write_bytes(data)
    return path


def fuzz_session(data: bytes) -> None:
    folder = _TMP / "s"
    folder.mkdir(exist_ok=True)
    path = folder / "session.json"
    path.write_bytes(data)
    try:
        session = load_session(path)
    except VoiceInterviewerError:
        return
    # A session the loader accepted must be safe to view in every way.
    summarise(session, path)
    for turn in session["turns"]:
        answer_metrics(turn)
    compare(session, session)
    progress([session])
    render_markdown(session)
    for fmt in ("json", "csv", "md"):
        export(session, fmt)
    session_report(session, folder, [])


def _refused_or_parsed(parse: Callable[[Path], object], name: str) -> Callable[[bytes], None]:
    """A target writing the input to a file and parsing it: our own error is fine, nothing else."""

    def target(data: bytes) -> None:
        try:
            parse(_write(name, data))
        except VoiceInterviewerError:
            return

    return target


def _annotations_folder(path: Path) -> object:
    return load_annotations(path.parent)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "session": fuzz_session,
    "annotations": _refused_or_parsed(_annotations_folder, "annotations.json"),
    "config": _refused_or_parsed(load_config, "config.toml"),
    "audio": _refused_or_parsed(read_audio, "answer.wav"),
    "text": _refused_or_parsed(read_text_file, "answer.txt"),
}
SEEDS = Path(__file__).resolve().parent / "seeds"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", choices=[*TARGETS, "all"])
    parser.add_argument("--seconds", type=int, default=60)
    args, rest = parser.parse_known_args()
    if args.target == "all":
        # One process per target: atheris runs one target per process.
        for name in TARGETS:
            subprocess.run([sys.executable, __file__, name, "--seconds", str(args.seconds), *rest], check=True)
        return
    corpus = _TMP / f"corpus-{args.target}"
    corpus.mkdir()
    seeds = SEEDS / args.target
    for seed in seeds.glob("*") if seeds.is_dir() else []:
        (corpus / seed.name).write_bytes(seed.read_bytes())
    argv = [sys.argv[0], str(corpus), f"-max_total_time={args.seconds}", "-print_final_stats=1", *rest]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    atheris.Setup(argv, TARGETS[args.target])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
