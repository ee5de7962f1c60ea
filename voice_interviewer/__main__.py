"""``python -m voice_interviewer``."""

from .cli import entry

entry()
