"""Analysis: one answer's transcript in, an ``Analysis`` out (standard library and numpy only).

In the order of a turn:

- ``text``: tokens and phrase matching shared by the modules below; rejoining streamed sentence pieces.
- ``hmm``: generic HMM decoding (Viterbi path, forward-backward marginals).
- ``star``: STAR labelling of sentences (linear classifier over embeddings and cues, HMM smoothing).
- ``star_score``: the 0-100 STAR score and the STAR summary of the labelled sentences.
- ``story_end``: P(the answer ends here) for the words said so far, asked at every pause.
- ``competency``: which of the 11 competencies an answer shows, with evidence.
- ``signals``: ownership, numbers, reflection, specificity, length.
- ``delivery``: pace, fillers, hedges and pauses from word timings.
- ``themes``: what a story is about (decision, failure, ...), for the depth probes.
- ``kinds``: what a question asks for (a past story, a plan, an explanation, a pitch, why us).
- ``plan``: a situational answer's plan rubric (clarify, options, decision, communication, measure).
- ``gaps``: an answer's gaps (what follow-ups probe, feedback advises, ``eval`` checks), thresholds once.
- ``fitting``: the analyzer's models: exemplars embedded once, classifiers fitted on them, cached on disk.
- ``analyzer``: one call turns a transcript into an ``Analysis`` (splits, embeds once, runs the above).
"""
