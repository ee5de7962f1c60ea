"""``python -m voice_interviewer``."""

from .cli.main import entry

entry()
