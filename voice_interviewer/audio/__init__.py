"""Audio: chunks in, a captured answer out (standard library and numpy only).

In the order of a turn:

- ``sources``: typed answers, stdin lines and WAV files replayed as if spoken into a microphone.
- ``echo``: tells the interviewer's own voice (played through speakers) from the candidate's.
- ``endpointing``: end of turn, a state machine over counted VAD windows told what was said.
- ``streaming``: segments of an answer decoded on a worker thread while it goes on; the WAV writer.
- ``segments``: an answer's segments: submitted as they close, decoded ahead, long stretches cut at quiet gaps.
- ``heard``: what a listener asks at a pause (story check, end-of-turn model) and what it reports (end_signals).
- ``listener``: one answer heard end to end: VAD, end of turn, streaming transcription, barge-in.
- ``fillers``: the "um"s one decode heard put back into another that dropped them (the saved transcript).
- ``answers``: ``listen`` (one answer, blocking) and ``StreamingAnswerSource`` (a listener per answer).
"""
