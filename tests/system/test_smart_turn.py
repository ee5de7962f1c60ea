"""Smart Turn v3.2 end-of-turn model: the real bundled model on real speech (espeak-ng)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT, espeak_wav, run_cli
from voice_interviewer.adapters.audio_file import read_audio
from voice_interviewer.adapters.smart_turn import SmartTurnModel, last_window
from voice_interviewer.app import models as model_files
from voice_interviewer.app.doctor import _models as doctor_model_checks
from voice_interviewer.app.loading import load_smart_turn, smart_turn_model
from voice_interviewer.app.setup import check_models
from voice_interviewer.config import Config, checkout_root, load_config
from voice_interviewer.errors import ModelError

pytestmark = pytest.mark.models

SR = 16000
FIX = "voice-interviewer models install --force"
OTHER_SIGNALS = "practice still runs on the other signals"


# The assembled model in the checkout (the test homes link to the same folder).
REAL_ONNX = (checkout_root() or ROOT) / "models" / "smart-turn-v3.2" / model_files.SMART_TURN_FILE


@pytest.fixture(scope="module")
def model() -> SmartTurnModel:
    return SmartTurnModel(REAL_ONNX)


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    """About 4 s of speech at 16 kHz, ending in a complete sentence."""
    path = espeak_wav(
        "I rewrote the deploy scripts, and then we shipped the release a week early.",
        tmp_path_factory.mktemp("speech") / "a.wav",
    )
    return read_audio(path)


def _transformers_features(samples: np.ndarray) -> np.ndarray:
    """The reference: transformers' Whisper extractor as Smart Turn was trained with (80 mels, 8 s)."""
    from transformers import WhisperFeatureExtractor

    extractor = WhisperFeatureExtractor(feature_size=80, sampling_rate=SR, hop_length=160, chunk_length=8, n_fft=400)
    out = extractor(last_window(samples), sampling_rate=SR, do_normalize=True, return_tensors="np")
    return np.asarray(out.input_features[0])


def test_features_match_transformers(model: SmartTurnModel, speech: np.ndarray) -> None:
    rng = np.random.default_rng(0)
    clips = {
        "short speech (front-padded)": speech,
        "long speech (last 8 s)": np.tile(speech, 3),
        "quiet noise": (rng.standard_normal(5 * SR) * 1e-3).astype(np.float32),
    }
    for name, clip in clips.items():
        mine = model.features(clip)
        assert mine.shape == (80, 800) and mine.dtype == np.float32, name
        ref = _transformers_features(clip)
        assert ref.shape == (80, 800), name
        assert np.abs(mine - ref).max() < 1e-4, name


def test_last_window_pads_at_the_front_and_keeps_the_end() -> None:
    short = np.arange(1, 11, dtype=np.float32)
    window = last_window(short)
    assert window.shape == (8 * SR,) and window.dtype == np.float32
    assert np.all(window[:-10] == 0) and np.array_equal(window[-10:], short)
    long = np.arange(10 * SR, dtype=np.float32)
    assert np.array_equal(last_window(long), long[-8 * SR :])
    with pytest.raises(ValueError, match="mono"):
        last_window(np.zeros((2, 100), np.float32))


def test_probability_is_in_range_for_all_kinds_of_input(model: SmartTurnModel, speech: np.ndarray) -> None:
    rng = np.random.default_rng(1)
    inputs = [
        np.zeros(0, np.float32),
        np.zeros(SR // 10, np.float32),
        np.zeros(8 * SR, np.float32),
        (rng.standard_normal(3 * SR) * 0.3).astype(np.float32),
        speech,
        np.tile(speech, 5),
    ]
    for samples in inputs:
        p = model.probability(samples)
        assert isinstance(p, float) and 0.0 <= p <= 1.0


def test_probability_depends_only_on_the_last_8_s_and_features_not_on_the_level(
    model: SmartTurnModel, speech: np.ndarray
) -> None:
    long = np.tile(speech, 3)
    assert model.probability(long) == model.probability(long[-8 * SR :])
    noisy_start = np.concatenate([np.ones(2 * SR, np.float32), long])
    assert model.probability(noisy_start) == model.probability(long)
    # The waveform is normalised first, so a quieter recording gives the same features. (Not
    # quite the same probability: the int8 model moves by up to ~0.2 for feature changes of
    # 1e-5, as rounding in its quantised layers flips; see scripts/smart_turn_probe.py.)
    assert np.abs(model.features(speech * 0.05) - model.features(speech)).max() < 2e-3


def test_missing_corrupt_or_foreign_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as info:
        SmartTurnModel(tmp_path / "nope.onnx")
    assert "missing" in info.value.message and FIX in info.value.hint
    truncated = tmp_path / "truncated.onnx"
    truncated.write_bytes(REAL_ONNX.read_bytes()[:100_000])
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"\x00\xff not a model" * 1000)
    for bad in (truncated, garbage):
        with pytest.raises(ModelError) as info:
            SmartTurnModel(bad)
        assert "corrupt" in info.value.message and FIX in info.value.hint
        assert "\n" not in info.value.one_line()
    from faster_whisper.utils import get_assets_path

    with pytest.raises(ModelError, match="not a Smart Turn"):
        SmartTurnModel(Path(get_assets_path()) / "silero_vad_v6.onnx")


def _home_with_copy(home: Path, tmp_path: Path) -> Path:
    """Point the test home's models/ at a folder holding a copy of Smart Turn (and the real others)."""
    real = (home / "models").resolve()
    copy = tmp_path / "models-copy"
    copy.mkdir()
    for folder in real.iterdir():
        if folder.name == "smart-turn-v3.2":
            shutil.copytree(folder, copy / folder.name)
        elif folder.is_dir():
            (copy / folder.name).symlink_to(folder, target_is_directory=True)
    (home / "models").unlink()
    (home / "models").symlink_to(copy, target_is_directory=True)
    return copy / "smart-turn-v3.2"


def test_load_smart_turn_loads_the_bundled_model(cfg: Config) -> None:
    notes: list[str] = []
    loaded = load_smart_turn(cfg, notes.append)
    assert loaded is not None and notes == []
    assert 0.0 <= loaded.probability(np.zeros(SR, np.float32)) <= 1.0


@pytest.mark.parametrize("damage", ["missing", "truncated", "same-size", "no wheel"])
def test_load_smart_turn_warns_once_and_returns_none(damage: str, home: Path, tmp_path: Path) -> None:
    folder = _home_with_copy(home, tmp_path)
    onnx = folder / model_files.SMART_TURN_FILE
    if damage == "missing":
        onnx.unlink()
    elif damage == "truncated":
        with onnx.open("r+b") as fh:
            fh.truncate(1000)
    elif damage == "same-size":
        data = bytearray(onnx.read_bytes())
        data[len(data) // 2] ^= 0xFF
        onnx.write_bytes(bytes(data))
    else:  # never assembled, and the wheel was never downloaded
        shutil.rmtree(folder)
    notes: list[str] = []
    assert load_smart_turn(load_config(), notes.append) is None
    assert len(notes) == 1 and "\n" not in notes[0]
    assert OTHER_SIGNALS in notes[0]
    if damage == "no wheel":
        assert "pip download --no-deps pipecat-ai==1.14.0" in notes[0] and "setup.sh" in notes[0]
    else:
        assert FIX in notes[0]
    with pytest.raises(ModelError):
        smart_turn_model(load_config())


def test_doctor_and_models_check_warn_about_a_corrupt_or_missing_smart_turn(home: Path, tmp_path: Path) -> None:
    folder = _home_with_copy(home, tmp_path)
    data = bytearray((folder / model_files.SMART_TURN_FILE).read_bytes())
    data[-10] ^= 0xFF  # same size: only the full check sees it
    (folder / model_files.SMART_TURN_FILE).write_bytes(bytes(data))
    checks = {c.name: c for c in doctor_model_checks(load_config())}
    assert checks["model: whisper"].status == "pass" and checks["model: embedding"].status == "pass"
    st = checks["model: smart-turn"]
    assert st.status == "warn" and "checksum mismatch" in st.detail and OTHER_SIGNALS in st.detail
    assert st.fix == FIX
    # Missing, and no wheel in this home's cache: a warning naming the download; exit code 0.
    shutil.rmtree(folder)
    proc = run_cli("models", "check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "WARN" in proc.stdout and "FAIL" not in proc.stdout
    reports = {r.kind: r for r in check_models(load_config())}
    assert not reports["smart-turn"].ok and not reports["smart-turn"].required
    assert reports["whisper"].required and reports["embedding"].required
