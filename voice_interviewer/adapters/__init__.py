"""Adapters: each wraps exactly one heavy library and is imported lazily.

Nothing here is imported by ``voice_interviewer/__init__.py`` or by the CLI at
start-up, so ``voice-interviewer --help`` stays fast. Only ``app`` builds them.

In the order of a turn:

- ``sound``: sounddevice (PortAudio): devices, microphone capture, playback that stops at once.
- ``audio_file``: PyAV: any audio file decoded to mono float32 at 16 kHz.
- ``vad``: Silero VAD (inside faster-whisper): streaming speech probability.
- ``smart_turn``: Smart Turn v3.2 on ONNX Runtime: end-of-turn probability.
- ``whisper``: faster-whisper (CTranslate2): the transcriber.
- ``offline``: offline switches for the Hugging Face stack, set before a library loads.
- ``imports``: one lock around the lazy imports of the packages several loading threads share.
- ``sentences``: pysbd: sentence splitting.
- ``parser``: spaCy (en_core_web_sm): the parse the follow-ups quote the answer from.
- ``onnx_embedder``: ONNX Runtime: sentence embeddings (the default).
- ``embedder``: sentence-transformers (torch): sentence embeddings.
- ``learn``: scikit-learn: fitting the small linear classifiers.
- ``llm``: transformers, or a loopback OpenAI-compatible endpoint: optional LLM follow-up wording.
- ``tts``: the speaker pipeline the voices share (sentence by sentence, stoppable), and print only.
- ``hibari_voice``: hibari-tts, the default voice.
- ``pyttsx3_voice``: pyttsx3 (espeak-ng).
- ``piper_voice``: Piper (optional).
- ``html_report``: Jinja2 + pygal: the coach's HTML reports.
"""
