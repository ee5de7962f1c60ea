"""How often "not shown" would be wrong: labelled competencies of eval/ answers a rule calls absent.

    .venv/bin/python scripts/absent_check.py

For each labelled answer (dev and held-out), scored with its question as in practice, prints the
share of the competencies the answer is labelled with that each rule still counts as shown
(higher: fewer false "not shown yet"), and the share of the others it counts as shown.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from voice_interviewer.analysis.competency import ABSENT_PROBABILITY, ABSENT_RANK, COVERED_PROBABILITY, absent
from voice_interviewer.app.loading import build_analyzer
from voice_interviewer.config import load_config
from voice_interviewer.types import Transcript


def main() -> None:
    analyzer = build_analyzer(load_config())
    for name in ("dev_set", "holdout_set"):
        labelled = others = kept_l = kept_o = covered_l = 0
        for a in tomllib.loads(Path(f"eval/{name}.toml").read_text())["answer"]:
            text = " ".join(s["text"] for s in a["sentences"])
            scores = analyzer.analyze(a["question"], Transcript(text), "text").competencies
            gone = absent(scores)
            for c in scores:
                if c.id in a["competencies"]:
                    labelled += 1
                    kept_l += c.id not in gone
                    covered_l += c.covered
                else:
                    others += 1
                    kept_o += c.id not in gone
        print(
            f"{name}: labelled competencies covered (p >= {COVERED_PROBABILITY}) {covered_l / labelled:.3f}; "
            f"not absent (p >= {ABSENT_PROBABILITY} or top {ABSENT_RANK}) {kept_l / labelled:.3f} "
            f"(others not absent {kept_o / others:.3f}; {labelled} labelled)"
        )


if __name__ == "__main__":
    main()
