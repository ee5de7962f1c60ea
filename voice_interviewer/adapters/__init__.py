"""Adapters: each wraps exactly one heavy library and is imported lazily.

Nothing here is imported by ``voice_interviewer/__init__.py`` or by the CLI at
start-up, so ``voice-interviewer --help`` stays fast.
"""
