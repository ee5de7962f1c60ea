"""How well the listener's story check tells a finished answer from one cut short.

Every labelled answer in the given files is judged whole (when its last story sentence is a
result) and cut after each situation, task or action sentence that comes before its first
result (where a candidate pausing to think would be). "mid" is the cut ``bench turns`` uses
for its mid-story pauses (after the middle action sentence, when there are three or more).
Prints, per file, how many whole answers read as finished (done: reply after 0.5 s; likely:
after 1.2 s) and how many cuts were wrongly judged finished, which ends the turn at a thinking
pause. The story-end model is fitted on prompts/training only, so both files are unseen.

Each file is judged twice: as written, and "streamed": split at half of its commas (seeded)
into separate capitalised sentences, the way streaming transcription writes a sentence
broken by a pause ("... the difference. And I wrote the script"). ``--no-rejoin`` turns
off the listener's rejoining of such pieces (``rejoin_fragments``) to show what it buys.

    .venv/bin/python scripts/story_check_eval.py eval/dev_set.toml eval/holdout_set.toml
"""

from __future__ import annotations

import dataclasses
import random
import re
import sys
import tomllib
from pathlib import Path

from voice_interviewer.app.listen import story_check
from voice_interviewer.app.loading import BackgroundLoad, shared_analyzer
from voice_interviewer.config import load_config
from voice_interviewer.content.content import load_turn_cues
from voice_interviewer.types import ListenContext


def mid_cut(labels: list[str]) -> int | None:
    first = labels.index("result") if "result" in labels else len(labels)
    actions = [i for i in range(first) if labels[i] == "action"]
    return actions[len(actions) // 2] + 1 if len(actions) >= 3 else None


def streamed(sentences: list[str], rng: random.Random) -> list[str]:
    """Half the commas become sentence ends, as separately decoded stretches of speech come out."""
    out = []
    for sentence in sentences:
        pieces = re.split(r",\s+", sentence)
        current = pieces[0]
        for piece in pieces[1:]:
            if rng.random() < 0.5:
                out.append(current + ".")
                current = piece[:1].upper() + piece[1:]
            else:
                current += ", " + piece
        out.append(current)
    return out


def main(args: list[str]) -> None:
    rejoin = "--no-rejoin" not in args
    files = [a for a in args if not a.startswith("--")] or ["eval/dev_set.toml", "eval/holdout_set.toml"]
    cfg = load_config(None, {})
    analyzer = BackgroundLoad(lambda: shared_analyzer(cfg), "analyzer")
    analyzer.get()
    cues = load_turn_cues(cfg.prompts_dir / "turn_taking.toml")
    if not rejoin:
        cues = dataclasses.replace(cues, continuations=frozenset())
    check = story_check(analyzer, cues)
    for name, as_streamed in ((f, s) for f in files for s in (False, True)):
        rng = random.Random(1)
        answers = tomllib.loads(Path(name).read_text())["answer"]
        counts = {"whole": [0, 0, 0], "cut": [0, 0, 0], "mid": [0, 0, 0]}  # n, done, likely
        for answer in answers:
            texts = [s["text"] for s in answer["sentences"]]
            labels = [s["star"] for s in answer["sentences"]]
            story = [lab for lab in labels if lab != "other"]
            cases = [("whole", texts)] if story and story[-1] == "result" else []
            first = labels.index("result") if "result" in labels else len(labels)
            cases += [("cut", texts[:k]) for k in range(2, first + 1) if labels[k - 1] != "other"]
            mid = mid_cut(labels)
            cases += [("mid", texts[:mid])] if mid is not None else []
            for kind, part in cases:
                part = streamed(part, rng) if as_streamed else part
                verdict = check(ListenContext(answer.get("question", "")), " ".join(part))
                assert verdict is not None
                counts[kind][0] += 1
                counts[kind][1] += verdict.done
                counts[kind][2] += verdict.likely
        parts = []
        for kind, what in (
            ("whole", "whole answers read as finished"),
            ("cut", "cuts judged finished"),
            ("mid", "mid-story cuts judged finished"),
        ):
            n, done, likely = counts[kind]
            parts.append(
                f"{what} {done + likely}/{n} ({(done + likely) / max(n, 1):.0%}; surely {done / max(n, 1):.0%})"
            )
        print(f"{name}{' streamed' if as_streamed else ''}: " + "; ".join(parts))


if __name__ == "__main__":
    main(sys.argv[1:])
