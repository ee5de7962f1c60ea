"""How well the listener's story check tells a finished answer from one cut short.

Every labelled answer in the given files is judged whole (when its last story sentence is a
result) and cut after each situation, task or action sentence that comes before its first
result (where a candidate pausing to think would be). Prints, per file, how many whole
answers read as finished (done, or likely) and how many cuts were wrongly judged finished.

    .venv/bin/python scripts/story_check_eval.py eval/dev_set.toml eval/holdout_set.toml
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from voice_interviewer import app
from voice_interviewer.config import load_config
from voice_interviewer.types import ListenContext


def main(files: list[str]) -> None:
    cfg = load_config(None, {})
    analyzer = app.BackgroundLoad(lambda: app.shared_analyzer(cfg), "analyzer")
    analyzer.get()
    check = app.story_check(analyzer, app.load_turn_cues(cfg.prompts_dir / "turn_taking.toml"))
    for name in files:
        answers = tomllib.loads(Path(name).read_text())["answer"]
        counts = {"whole": [0, 0, 0], "cut": [0, 0, 0]}  # n, done, likely
        for answer in answers:
            texts = [s["text"] for s in answer["sentences"]]
            labels = [s["star"] for s in answer["sentences"]]
            story = [lab for lab in labels if lab != "other"]
            cases = [("whole", texts)] if story and story[-1] == "result" else []
            first = labels.index("result") if "result" in labels else len(labels)
            cases += [("cut", texts[:k]) for k in range(2, first) if labels[k - 1] != "other"]
            for kind, part in cases:
                verdict = check(ListenContext(answer.get("question", "")), " ".join(part))
                assert verdict is not None
                counts[kind][0] += 1
                counts[kind][1] += verdict.done
                counts[kind][2] += verdict.likely
        (nw, dw, lw), (nc, dc, lc) = counts["whole"], counts["cut"]
        print(
            f"{name}: whole answers read as finished {dw + lw}/{nw} ({(dw + lw) / nw:.0%}; surely {dw / nw:.0%}); "
            f"cuts judged finished {dc + lc}/{nc} ({(dc + lc) / nc:.0%}; surely {dc / nc:.0%})"
        )


if __name__ == "__main__":
    main(sys.argv[1:] or ["eval/dev_set.toml", "eval/holdout_set.toml"])
