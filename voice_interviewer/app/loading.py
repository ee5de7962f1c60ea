"""Model loading: each model resolved, loaded once per process and warmed on its loading thread.

``MODELS`` (one ``ModelCache``, a lock per key) holds the Whisper transcriber and the
analyzer every session of a process shares; ``BackgroundLoad`` loads them while the
interviewer greets the candidate. The embedding, Smart Turn and analysis builders live here too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from ..analysis.analyzer import Analyzer, SentenceCache
from ..config import Config
from ..content.content import load_content
from ..content.prompts import prompts_checksum
from ..errors import InputError, ModelError, VoiceInterviewerError
from ..interview.phrases import Parser
from ..ports import Embedder, Transcriber
from . import models as model_files

if TYPE_CHECKING:  # the adapter (and onnxruntime) is imported only when the model is loaded
    from ..adapters.smart_turn import SmartTurnModel


T = TypeVar("T")
Printer = Callable[[str], None]


class BackgroundLoad(Generic[T]):
    """Runs a slow loader on a thread at once; ``get()`` blocks until it is ready.

    Lets models load while the interviewer greets the candidate and asks the first
    question. An error in the loader is re-raised by ``get()``.
    """

    def __init__(self, loader: Callable[[], T], name: str) -> None:
        self._value: T | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(loader,), name=name, daemon=True)
        self._thread.start()

    def _run(self, loader: Callable[[], T]) -> None:
        try:
            self._value = loader()
        except BaseException as exc:
            self._error = exc
        finally:
            self._done.set()

    def settle(self, timeout_s: float = 60.0) -> None:
        """Wait for the loader to finish, so the process never exits while native code is loading."""
        self._thread.join(timeout_s)

    def ready(self) -> bool:
        """Loaded (or failed) already: ``get()`` would not block."""
        return self._done.is_set()

    def get(self) -> T:
        self._done.wait()
        if self._error is not None:
            raise self._error
        return cast(T, self._value)  # T may itself be optional (the parser: None when missing)


# ---------------------------------------------------------------- models


def resolve_model(cfg: Config, kind: str, progress: model_files.Progress | None = None) -> model_files.ResolvedModel:
    explicit = {"whisper": cfg.models.whisper, "embedding": cfg.models.embedding}.get(kind, "")
    return model_files.resolve(kind, cfg.models_dir, explicit, progress, model_files.wheels_dir(cfg.data_home))


class ModelCache:
    """Load once per process for the same key (model files, settings, prompts checksum).

    A process that runs many sessions (``bench soak``, the tests, a long-running front end)
    then holds one Whisper model and one analyzer instead of reloading them per session:
    reloading kept RSS swinging between 350 and 720 MB over a 50-session soak.

    Each key has its own lock: a second caller of a key waits for the first one's load,
    while another key loads at the same time.
    """

    def __init__(self) -> None:
        self._values: dict[tuple[object, ...], Any] = {}
        self._locks: dict[tuple[object, ...], threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: tuple[object, ...], loader: Callable[[], T]) -> T:
        """The value for ``key``, from ``loader()`` the first time (on the caller's thread)."""
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                self._values[key] = loader()
            return self._values[key]


MODELS = ModelCache()
"""The models of this process (one Whisper, one analyzer per settings, Smart Turn), shared by every session."""


def shared_transcriber(cfg: Config) -> Transcriber:
    """Whisper, loaded once per process and warmed up on the loading thread (see ``warm_up``)."""
    model = resolve_model(cfg, "whisper")

    def load() -> Transcriber:
        transcriber = load_streaming_transcriber(cfg)
        warm_up = getattr(transcriber, "warm_up", None)
        if warm_up is not None:
            warm_up()
        return transcriber

    return MODELS.get(("whisper", str(model.path), model.checksum, cfg.models), load)


def shared_analyzer(cfg: Config) -> Analyzer:
    key = ("analyzer", prompts_checksum(cfg.prompts_dir), str(cfg.data_home), cfg.models)
    return MODELS.get(key, lambda: build_analyzer(cfg))


def shared_parser(notify: Callable[[str], None] | None = None) -> Parser | None:
    """The English parser the follow-ups quote the answer with, loaded once per process;
    None (after one warning line through ``notify``) when it is missing or broken: the
    follow-ups are then asked without quotes."""
    from ..adapters.parser import SpacyParser

    try:
        return MODELS.get(("parser",), SpacyParser)
    except ModelError as exc:
        if notify is not None:
            notify(f"Follow-ups without quotes: {exc.one_line()}")
        return None


def load_transcriber(cfg: Config, context_s: float = 0.0, hesitations: bool = True) -> Transcriber:
    """Whisper; ``context_s`` > 0 lets the encoder see less than 30 s (the streaming pass).

    ``hesitations``: a quick extra decode puts back the "um"s a whole-answer decode drops
    (off where they come from the streaming pass instead: practice's second pass)."""
    from ..adapters.whisper import WhisperTranscriber

    return WhisperTranscriber(resolve_model(cfg, "whisper"), cfg.models, context_s, hesitations=hesitations)


def load_streaming_transcriber(cfg: Config) -> Transcriber:
    """Whisper for the streaming pass: short encoder input, one greedy decode (adapters/whisper.py)."""
    from ..adapters.whisper import WhisperTranscriber

    return WhisperTranscriber(resolve_model(cfg, "whisper"), cfg.models, cfg.models.streaming_context_s, streaming=True)


def load_embedder(cfg: Config) -> Embedder:
    model = resolve_model(cfg, "embedding")
    backend = cfg.models.embedding_backend
    if backend not in ("auto", "onnx-int8", "onnx", "torch"):
        raise InputError(f"unknown embedding_backend '{backend}'", "use auto, onnx-int8, onnx or torch")
    if backend != "torch":
        from ..adapters.onnx_embedder import OnnxEmbedder, supports_onnx

        if supports_onnx(model.path):
            quantize = backend in ("auto", "onnx-int8")
            return OnnxEmbedder(model, cfg.data_home / "cache", cfg.models.cpu_threads, quantize)
        if backend != "auto":
            raise InputError(
                f"{model.path} cannot run on ONNX Runtime (not mean pooling)", "use embedding_backend = torch"
            )
    from ..adapters.embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model, cfg.models.cpu_threads)


def smart_turn_model(cfg: Config) -> SmartTurnModel:
    """Load the Smart Turn end-of-turn model, fully verified (8.7 MB: hashing takes ~20 ms).

    Raises ModelError with the fix when the file is missing or corrupt.
    """
    from ..adapters.smart_turn import SmartTurnModel

    model = resolve_model(cfg, "smart-turn")
    problems = model_files.full_problems(model.path, model_files.spec_for("smart-turn"))
    if problems:
        raise ModelError(
            f"model folder {model.path} is corrupt: {problems[0]}",
            "rebuild it: voice-interviewer models install --force",
        )
    return SmartTurnModel(model.path / model_files.SMART_TURN_FILE)


def load_smart_turn(cfg: Config, notify: Printer) -> SmartTurnModel | None:
    """Smart Turn (one per process), or None after ONE warning line when it is missing or corrupt.

    The model only sharpens the end-of-turn decision, so its absence never stops practice.
    """
    try:
        key = ("smart-turn", str(cfg.models_dir), model_files.spec_for("smart-turn").checksum)
        return MODELS.get(key, lambda: smart_turn_model(cfg))
    except VoiceInterviewerError as exc:
        notify(f"End-of-turn model off: {exc.one_line()}; practice still runs on the other signals.")
        return None


# ---------------------------------------------------------------- analysis


def build_analyzer(cfg: Config) -> Analyzer:
    """Load the embedder and the analysis content; fit or load the cached classifiers."""
    from threadpoolctl import threadpool_limits

    from ..adapters.learn import fit_softmax
    from ..adapters.sentences import PysbdSplitter

    # The analysis does only small matrix products; OpenBLAS threads that busy-wait after
    # them starved ONNX Runtime (analysis p50 26 ms with one BLAS thread, 67 ms without).
    threadpool_limits(limits=1, user_api="blas")

    embedder_model = resolve_model(cfg, "embedding")
    embedder = SentenceCache(load_embedder(cfg))
    model_id = f"{embedder.name}:{embedder_model.checksum or embedder_model.path.resolve()}"
    return Analyzer(
        load_content(cfg.prompts_dir),
        embedder,
        PysbdSplitter(),
        fit_softmax,
        cache_dir=cfg.data_home / "cache",
        model_id=model_id,
    )


def session_models(cfg: Config, with_whisper: bool) -> dict[str, object]:
    """Name and checksum of each model, for session.json (None checksum: a user folder)."""
    embedding = model_files.spec_for("embedding")
    models: dict[str, object] = {
        "embedding": {
            "name": Path(cfg.models.embedding).name if cfg.models.embedding else embedding.name,
            "checksum": None if cfg.models.embedding else embedding.checksum,
            "backend": cfg.models.embedding_backend,
        }
    }
    if with_whisper:
        whisper = model_files.spec_for("whisper")
        models["whisper"] = {
            "name": Path(cfg.models.whisper).name if cfg.models.whisper else whisper.name,
            "checksum": None if cfg.models.whisper else whisper.checksum,
        }
    return models
