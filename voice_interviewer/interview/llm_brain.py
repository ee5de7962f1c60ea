"""Optional generative follow-ups: a local language model phrases the probe the policy chose.

The deterministic policy still decides *what* to probe (target and rationale); the
model only words the question in the round's voice. Its output is validated (one
question, ending in "?", 5-40 words, not a repeat, on target) and anything that
fails falls back to the policy's own phrasing, recording which brain produced the
question and why a model output was rejected. Pure logic: the text generator is
injected (``adapters.llm``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from ..content.prompts import Round
from ..types import Analysis, FollowUp, Gap
from .policy import decide

Generate = Callable[[str], str]

# Words a question about each target is expected to contain (any one of them).
ON_TARGET = {
    "situation": r"context|background|situation|when|where|what was going on|set the scene",
    "task": r"goal|responsib|role|task|expected|own|assigned|asked to|job",
    "action": r"what did you|steps|do|decide|approach|handle|how did you",
    "result": r"result|outcome|turn out|turned out|impact|happen|end up|land",
    "ownership": r"you |your |yourself|personally|your own|you,",
    "metrics": r"number|measur|how much|how many|percent|metric|data|quantif|size|impact",
    "reflection": r"learn|differently|lesson|reflect|again|change|takeaway|looking back",
    "specificity": r"specific|one time|example|instance|particular|a time",
}
MIN_WORDS, MAX_WORDS = 5, 40
REPEAT_SIMILARITY = 0.85


def _probed(policy: FollowUp) -> str:
    return f"the competency {policy.competency}" if policy.target is Gap.COMPETENCY else str(policy.target)


def build_prompt(analysis: Analysis, rnd: Round, policy: FollowUp) -> str:
    answer = " ".join(s.text for s in analysis.sentences)[-1500:]
    return (
        f"You are {rnd.name}, an interviewer ({rnd.tone}). {rnd.description}\n"
        f"Question asked: {analysis.question}\n"
        f"Candidate's answer: {answer}\n"
        f"Ask ONE short follow-up question that probes {_probed(policy)} "
        f"because {policy.rationale.split(': ', 1)[-1]}. Use the candidate's own words where natural. "
        "Reply with the question only.\nFollow-up question:"
    )


def validate(text: str, target: Gap, earlier: Sequence[str], competency_name: str = "") -> tuple[str | None, str]:
    """(cleaned question, "") or (None, why it was rejected)."""
    line = next((ln.strip() for ln in text.strip().splitlines() if ln.strip()), "")
    line = re.sub(r"^(follow-up question:|question:|interviewer:)\s*", "", line, flags=re.I).strip().strip('"')
    if not line.endswith("?"):
        return None, "not a question ending with '?'"
    if line.count("?") != 1:
        return None, "more than one question"
    words = len(line.split())
    if not MIN_WORDS <= words <= MAX_WORDS:
        return None, f"{words} words (allowed {MIN_WORDS}-{MAX_WORDS})"
    for prior in earlier:
        if difflib.SequenceMatcher(None, prior.lower(), line.lower()).ratio() >= REPEAT_SIMILARITY:
            return None, "repeats an earlier question"
    pattern = ON_TARGET.get(target)
    if target is Gap.COMPETENCY and competency_name:
        pattern = "|".join(re.escape(w) for w in competency_name.lower().split() if len(w) > 3) or None
    if pattern and not re.search(pattern, line.lower()):
        return None, f"does not ask about {target}"
    return line, ""


class LlmBrain:
    """A FollowUpBrain: the policy chooses the target, the model phrases it (validated)."""

    def __init__(self, generate: Generate, name: str, names: Callable[[], dict[str, str]]) -> None:
        self._generate = generate
        self.name = name
        self._names = names
        self._thread: list[str] = []  # questions already asked in this thread

    def __call__(
        self,
        analysis: Analysis,
        rnd: Round,
        asked: Sequence[str],
        budget_left: int | None,
        target_competency: str | None,
    ) -> FollowUp:
        names = self._names()
        if not asked:
            self._thread = []
        policy = decide(analysis, rnd, asked, budget_left, target_competency, names)
        if policy.target is None:
            return policy
        try:
            raw = self._generate(build_prompt(analysis, rnd, policy))
        except Exception as exc:  # any generator failure: the policy's phrasing is used
            return replace(
                policy, rationale=f"{policy.rationale} ({self.name} failed: {type(exc).__name__}; policy wording)"
            )
        text, why = validate(raw, policy.target, self._thread, names.get(policy.competency, ""))
        if text is None:
            self._thread.append(policy.text)
            return replace(policy, rationale=f"{policy.rationale} ({self.name} output rejected: {why}; policy wording)")
        self._thread.append(text)
        return replace(policy, text=text, brain=self.name)
