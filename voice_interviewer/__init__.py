"""voice-interviewer: a local, offline, voice-driven mock behavioral interviewer.

Importing the package is cheap; heavy libraries load lazily inside the adapters.
"""

__version__ = "0.1.0"
