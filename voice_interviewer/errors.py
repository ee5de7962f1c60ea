"""The small error hierarchy that the CLI turns into one clear line.

Every error a user can cause or fix carries a ``hint`` naming the fix. Anything
that is not a ``VoiceInterviewerError`` is a bug and shows a traceback only with
``--debug``.
"""

from __future__ import annotations


class VoiceInterviewerError(Exception):
    """Base class: ``message`` says what is wrong, ``hint`` says how to fix it."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(VoiceInterviewerError):
    """The config file or a flag is wrong."""

    exit_code = 2


class InputError(VoiceInterviewerError):
    """Something the user handed us (a file, a text, a name) cannot be used."""

    exit_code = 2


class PromptError(VoiceInterviewerError):
    """A file under prompts/ is missing or malformed."""

    exit_code = 3


class ModelError(VoiceInterviewerError):
    """A model folder is missing, corrupt or does not load."""

    exit_code = 4


class AudioError(VoiceInterviewerError):
    """Audio hardware or the PortAudio library is not usable."""

    exit_code = 5


class SpeakerError(VoiceInterviewerError):
    """No text-to-speech engine or no output device."""

    exit_code = 5


class SessionError(VoiceInterviewerError):
    """The session folder cannot be read or written."""

    exit_code = 6
