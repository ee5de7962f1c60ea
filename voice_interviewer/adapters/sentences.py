"""Sentence splitting with pysbd.

pysbd is a rule-based sentence boundary library (pure Python, no model files)
that handles abbreviations, decimals and initials ("Dr.", "3.5", "e.g.") that a
regex would split wrongly; ~3 ms for a 300-word answer.
"""

from __future__ import annotations


class PysbdSplitter:
    """Splits an answer's text into sentences with pysbd; the analyzer's sentence splitter."""

    def __init__(self) -> None:
        import pysbd

        self._segmenter = pysbd.Segmenter(language="en", clean=False)

    def __call__(self, text: str) -> list[str]:
        return [s.strip() for s in self._segmenter.segment(text) if s.strip()]
