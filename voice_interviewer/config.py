"""Effective configuration: defaults < TOML file < environment < CLI flags.

The config file is ``voice-interviewer.toml`` in the working directory, or the
file given with ``--config``. The data home (where ``models/`` and
``transcripts/`` live) comes from ``$VOICE_INTERVIEWER_HOME``, else the
``data_home`` key, else the source checkout the package runs from, else
``$XDG_DATA_HOME/voice-interviewer``.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError

CONFIG_FILE_NAME = "voice-interviewer.toml"
HOME_ENV = "VOICE_INTERVIEWER_HOME"
PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class ModelsConfig:
    """Which models to load and how.

    whisper / embedding: a folder path, or "" for the bundled default.
    embedding_backend: auto uses ONNX Runtime with int8 weights for mean-pooled models, else torch.
    compute_type: CTranslate2 quantisation; int8 suits a laptop CPU.
    cpu_threads: 0 means "one per CPU core".
    beam_size: the streaming pass, decoded while the candidate speaks (greedy: quick replies).
    final_beam_size: the second pass over each whole answer that is saved (final_pass.py); 0: off.
    streaming_context_s: the streaming pass's encoder sees at least this much audio, not always
    30 s (faster at the end of an answer; adapters/whisper.py); 0: always 30 s.
    """

    whisper: str = ""
    embedding: str = ""
    embedding_backend: str = "auto"  # auto (= onnx-int8 when the model allows), onnx-int8, onnx, torch
    compute_type: str = "int8"
    cpu_threads: int = 0
    language: str = "en"
    beam_size: int = 1
    final_beam_size: int = 5
    streaming_context_s: float = 15.0


@dataclass(frozen=True)
class VoiceConfig:
    """tts: auto (hibari, else pyttsx3, else print), hibari (neural, bundled), pyttsx3 (espeak-ng),
    piper (neural voice, optional extra), or none. rate_wpm paces pyttsx3; hibari_voice: only the
    bundled "heart" (hibari's other voices would be downloaded, and are refused)."""

    tts: str = "auto"
    rate_wpm: int = 170
    output_device: str = ""
    hibari_voice: str = "heart"


@dataclass(frozen=True)
class AudioConfig:
    """answers: auto (microphone if one exists, else typed), mic, text, or wav:PATH.

    The silence_*_s keys are the end-of-answer waits; which one applies at a pause depends
    on what was said (see endpointing.decide_wait and README "How the interviewer decides
    you have finished").
    """

    answers: str = "auto"
    input_device: str = ""
    max_answer_s: float = 300.0
    silence_done_s: float = 0.5  # the story is finished (result last) and the sentence complete
    silence_unsure_s: float = 1.2  # finished story, but the voice or the words suggest more is coming
    silence_likely_s: float = 1.0  # the story reads as finished, though not confidently
    silence_complete_s: float = 2.4  # a complete sentence before the analyzer has loaded
    silence_default_s: float = 3.0  # nothing transcribed yet to judge
    silence_story_s: float = 5.0  # a complete sentence, but the story has no result yet
    silence_open_s: float = 6.0  # after "and", "so", "um"...: the clause is open
    silence_hold_s: float = 10.0  # after "give me a second", "let me think"...
    no_speech_s: float = 12.0  # nothing said for this long: "I didn't hear anything"
    push_to_talk: bool = False
    echo_gate: bool = True  # ignore the interviewer's own voice coming back through speakers (echo.py)
    replay_pace: float = 1.0  # wav: answers replay at real time (0 = as fast as possible)


@dataclass(frozen=True)
class InterviewConfig:
    """brain: policy (deterministic) or llm (a local model words the policy's probe)."""

    round: str = "hiring_manager"
    questions: int = 0  # 0: the round's own default
    candidate: str = "me"
    brain: str = "policy"
    llm_model: str = ""  # a local causal LM folder or .gguf file
    llm_url: str = ""  # a local OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1


@dataclass(frozen=True)
class Config:
    """All settings: defaults, then the config file, then command-line overrides (``load_config``).

    ``source`` says where they came from (a file path, or "defaults").
    """

    data_home: Path
    transcripts_dir: Path
    prompts_dir: Path
    models: ModelsConfig = field(default_factory=ModelsConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    interview: InterviewConfig = field(default_factory=InterviewConfig)
    source: str = "defaults"

    @property
    def models_dir(self) -> Path:
        return self.data_home / "models"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "data_home": str(self.data_home),
            "transcripts_dir": str(self.transcripts_dir),
            "prompts_dir": str(self.prompts_dir),
            "models_dir": str(self.models_dir),
        }
        for name in ("models", "voice", "audio", "interview"):
            out[name] = dataclasses.asdict(getattr(self, name))
        return out


def checkout_root() -> Path | None:
    """The source checkout this package runs from, if it runs from one."""
    root = PACKAGE_DIR.parent
    if (root / "pyproject.toml").is_file() and (root / "prompts").is_dir():
        return root
    return None


def default_eval_set() -> Path:
    """eval/dev_set.toml of the source checkout (or of the working directory)."""
    return (checkout_root() or Path.cwd()) / "eval" / "dev_set.toml"


def default_data_home() -> Path:
    env = os.environ.get(HOME_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    root = checkout_root()
    if root is not None:
        return root
    xdg = os.environ.get("XDG_DATA_HOME", "").strip() or str(Path.home() / ".local" / "share")
    return Path(xdg) / "voice-interviewer"


def default_prompts_dir() -> Path:
    root = checkout_root()
    if root is not None:
        return root / "prompts"
    return PACKAGE_DIR / "_prompts"


_SECTIONS: dict[str, type] = {
    "models": ModelsConfig,
    "voice": VoiceConfig,
    "audio": AudioConfig,
    "interview": InterviewConfig,
}
_TOP_KEYS = {"data_home", "transcripts_dir", "prompts_dir"}


def _section(cls: type, raw: Any, where: str) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [{cls.__name__}] must be a table", "see README 'Configuration'")
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(
                f"{where}: unknown key {key!r}",
                f"valid keys here: {', '.join(sorted(known))}",
            )
        default = known[key].default
        expected = type(default)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or isinstance(value, bool) != isinstance(default, bool):
            raise ConfigError(
                f"{where}: '{key}' must be a {expected.__name__}, got {value!r}",
                "fix the value in the config file",
            )
        values[key] = value
    return cls(**values)


def load_config(path: Path | None = None, overrides: dict[str, dict[str, Any]] | None = None) -> Config:
    """Build the effective config.

    path: an explicit --config file (must exist); None looks for
    ``voice-interviewer.toml`` in the working directory.
    overrides: {"section": {"key": value}} from CLI flags; None values are ignored.
    """
    raw: dict[str, Any] = {}
    source = "defaults"
    candidate = path if path is not None else Path.cwd() / CONFIG_FILE_NAME
    try:
        exists = candidate.is_file()
    except OSError:  # e.g. a name longer than the file system allows
        exists = False
    if path is not None and not exists:
        raise ConfigError(f"config file not found: {path}", "check the --config path")
    if exists:
        try:
            raw = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{candidate}: not UTF-8 text", "save the config as UTF-8") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{candidate}: invalid TOML: {exc}", "fix the syntax") from exc
        source = str(candidate)

    for key in raw:
        if key not in _SECTIONS and key not in _TOP_KEYS:
            raise ConfigError(
                f"{candidate}: unknown key {key!r}",
                f"valid: {', '.join(sorted(_TOP_KEYS | set(_SECTIONS)))}",
            )
    sections = {name: _section(cls, raw.get(name, {}), f"{candidate} [{name}]") for name, cls in _SECTIONS.items()}
    for name, values in (overrides or {}).items():
        clean = {k: v for k, v in values.items() if v is not None}
        if clean:
            sections[name] = dataclasses.replace(sections[name], **clean)

    def path_key(key: str, default: Path) -> Path:
        value = raw.get(key)
        if value is None:
            return default
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{candidate}: '{key}' must be a non-empty path string", "fix it")
        try:
            p = Path(value).expanduser()
        except RuntimeError as exc:  # "~name/..." for a user that does not exist
            raise ConfigError(f"{candidate}: '{key}' starts with an unknown user: {value!r}", "fix the path") from exc
        return p if p.is_absolute() else candidate.parent / p

    env_home = os.environ.get(HOME_ENV, "").strip()
    data_home = Path(env_home).expanduser() if env_home else path_key("data_home", default_data_home())
    transcripts = path_key("transcripts_dir", data_home / "transcripts")
    if env_home and "transcripts_dir" not in raw:
        transcripts = data_home / "transcripts"
    prompts = path_key("prompts_dir", default_prompts_dir())
    return Config(
        data_home=data_home,
        transcripts_dir=transcripts,
        prompts_dir=prompts,
        source=source,
        **sections,
    )
