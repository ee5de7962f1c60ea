"""What the interviewer says before a follow-up: a short acknowledgement that fits the answer.

A person does not say "Okay, makes sense" after "Um, not really, I guess", and does not open
with the same words twice running. So the opener depends on what was just said:

- the answer gave what the last probe asked for: ``acknowledge_filled`` ("That helps, thanks.");
- a short or unsure answer: ``acknowledge_short`` ("That's fine."), never an "I see";
- otherwise (a story, or more of it): the round's ``acknowledgements``.

The choice within a list rotates and never repeats the opener said last. Pure logic.
"""

from __future__ import annotations

import re

from ..analysis.gaps import gaps_of
from ..content.prompts import Round
from ..types import Analysis, Gap

SHORT_WORDS = 12  # an answer under this many words is a short one
UNSURE = re.compile(
    r"\b(not really|i don'?t know|i'?m not sure|not sure|no idea|i guess|can'?t remember|don'?t remember"
    r"|i don'?t have|nothing comes to mind|pass)\b",
    re.I,
)


def is_short(answer: str) -> bool:
    """A short or unsure answer: under ``SHORT_WORDS`` words, or one that says it has nothing."""
    words = answer.split()
    return len(words) < SHORT_WORDS or (len(words) < 3 * SHORT_WORDS and bool(UNSURE.search(answer)))


def acknowledgement(rnd: Round, answer: str, filled: bool, turn: int, last: str = "") -> str:
    """The opener before a follow-up (may be ""), given the answer just heard.

    ``filled``: that answer gave what the previous probe asked for; ``turn``: a counter that
    rotates the choice; ``last``: the opener said last, never said twice running.
    """
    if is_short(answer):
        options = rnd.acknowledge_short
    elif filled and rnd.acknowledge_filled:
        options = rnd.acknowledge_filled
    else:
        options = rnd.acknowledgements
    if not options:
        return ""
    fresh = [o for o in options if o != last] or list(options)
    return fresh[turn % len(fresh)]


def gave_what_was_asked(last_target: str | None, thread: Analysis) -> bool:
    """The probe asked last (its saved target, "result") was for a gap the thread no longer has."""
    if last_target is None or last_target not in {g.value for g in Gap} or last_target == Gap.COMPETENCY:
        return False  # competency and depth probes have no gap to close ("competency:..", "depth:..")
    return Gap(last_target) not in gaps_of(thread)
