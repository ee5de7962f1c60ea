"""Interview: the round, pure logic over ports (standard library and numpy only).

In the order of a turn:

- ``interview``: the interview loop with follow-up threads.
- ``turns``: a captured answer made into a turn: transcribed (audio), analysed, scored.
- ``final_pass``: each finished answer decoded again, whole, for the saved transcript.
- ``policy``: the deterministic follow-up choice and its phrasing.
- ``phrases``: the answer's words a phrasing may quote, by role, from a parse.
- ``replies``: the acknowledgement before a follow-up.
- ``llm_brain``: optional LLM wording of the policy's probe, validated, with fallback.
- ``history``: a candidate's earlier sessions (weakest competencies, stories told).
- ``feedback``: end-of-round strengths and improvements with evidence.
"""
