"""Real bundled models, real audio from espeak-ng: what a user meets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jiwer
import numpy as np
import pytest

from tests.conftest import espeak_wav, run_cli
from voice_interviewer.app.loading import load_embedder
from voice_interviewer.config import Config
from voice_interviewer.store.schema import load_session

pytestmark = pytest.mark.models

PASSAGE = (
    "Last year our team owned the payment service for a large online store. "
    "During the holiday sale the error rate climbed to five percent and customers could not check out. "
    "I was asked to find the cause and fix it before the weekend. "
    "I read the logs, traced the failures to a slow database query, and added an index. "
    "Then I wrote a load test so the problem could not come back without us noticing. "
    "As a result the error rate dropped below one tenth of a percent, and sales recovered the same day. "
    "I learned to add load tests before every big sale, not after the first outage."
)


def _normalise(text: str) -> str:
    text = text.lower().replace("%", " percent")
    return re.sub(r"[^a-z0-9' ]+", " ", text)


def test_transcribe_a_spoken_answer_with_word_timings(home: Path, tmp_path: Path) -> None:
    wav = espeak_wav(PASSAGE, tmp_path / "answer.wav", wpm=150)
    proc = run_cli("transcribe", str(wav), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert 30 <= data["duration_s"] <= 60
    wer = jiwer.wer(_normalise(PASSAGE), _normalise(data["text"]))
    assert wer < 0.15, (wer, data["text"])
    words = data["words"]
    assert len(words) > 80
    starts = [w["start_s"] for w in words]
    assert starts == sorted(starts)
    assert all(0 <= w["start_s"] <= w["end_s"] <= data["duration_s"] + 0.5 for w in words)
    assert data["real_time_factor"] < 1.0


def test_models_check_passes(home: Path) -> None:
    proc = run_cli("models", "check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("ok") >= 6  # checksum ok and status ok for the three models
    assert "smart-turn" in proc.stdout


def test_embeddings_are_normalised_and_semantic(cfg: Config) -> None:
    emb = load_embedder(cfg)
    vectors = emb.embed(
        [
            "I rewrote the deployment scripts to cut release time.",
            "I automated our release process so deployments took minutes instead of hours.",
            "My grandmother grows tomatoes in her garden.",
        ]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    similar, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert similar > 0.5 > unrelated + 0.2
    assert emb.embed([]).shape == (0, 384)


def test_a_sentence_vector_does_not_depend_on_the_rest_of_its_batch(cfg: Config) -> None:
    """What makes ``SentenceCache`` exact: each sentence's vector is the same alone or in any batch."""
    emb = load_embedder(cfg)
    sentences = [s.strip() + "." for s in PASSAGE.split(".") if s.strip()]
    together = emb.embed(sentences)
    alone = np.stack([emb.embed([s])[0] for s in sentences])
    assert np.allclose(together, alone, atol=1e-5)
    assert np.allclose(emb.embed(sentences[2:4]), together[2:4], atol=1e-5)


def test_practice_with_a_spoken_wav_answer(home: Path, tmp_path: Path) -> None:
    """A WAV replayed at real-time pace goes through VAD endpointing and streaming transcription."""
    wav = espeak_wav("I migrated our billing database with zero downtime.", tmp_path / "a1.wav")
    proc = run_cli("practice", "--answers", f"wav:{wav}", "--no-voice", "--questions", "2", "--no-follow-ups")
    assert proc.returncode == 0, proc.stderr
    [path] = list(home.glob("transcripts/*/*/session.json"))
    data = load_session(path)
    assert data["complete"] is False  # one WAV for two questions: the source ran out
    answer = data["turns"][0]["answer"]
    assert answer["source"] == "wav" and answer["end_reason"] == "silence"
    assert "database" in answer["text"].lower()
    assert answer["words"] and answer["duration_s"] > 3
    assert (path.parent / answer["audio_file"]).is_file()  # the answer audio is kept next to session.json
    t = data["turns"][0]["timings"]
    assert t["speech_start_s"] < t["speech_end_s"] < t["endpoint_s"] <= t["transcript_ready_s"]
    # the endpoint came after the 2.4-4 s end-of-answer silence, not earlier
    assert t["endpoint_s"] - t["speech_end_s"] >= 2.3
    assert data["models"]["whisper"]["checksum"].startswith("sha256:")


def test_silent_answer_gets_the_question_again(home: Path, tmp_path: Path) -> None:
    import numpy as np

    from voice_interviewer.adapters.audio_file import write_wav

    folder = tmp_path / "answers"
    folder.mkdir()
    write_wav(folder / "1.wav", np.zeros(16000, np.float32))
    write_wav(folder / "2.wav", np.zeros(16000, np.float32))
    (tmp_path / "voice-interviewer.toml").write_text("[audio]\nno_speech_s = 3.0\nreplay_pace = 0.0\n")
    proc = run_cli("practice", "--answers", f"wav:{folder}", "--no-voice", "--questions", "1")
    assert proc.returncode == 0, proc.stderr
    from voice_interviewer.config import default_prompts_dir
    from voice_interviewer.content.prompts import load_round

    line = load_round(default_prompts_dir(), "hiring_manager").no_speech
    assert " ".join(line.split()) in " ".join(proc.stdout.split())
    data = load_session(next(home.glob("transcripts/*/*/session.json")))
    assert [t["answer"]["end_reason"] for t in data["turns"]] == ["no_speech", "no_speech"]
    assert data["turns"][0]["question_id"] == data["turns"][1]["question_id"]


def test_stereo_44k_wav_is_resampled_and_downmixed(home: Path, tmp_path: Path) -> None:
    import shutil
    import subprocess

    src = espeak_wav("The quarterly report shipped on time.", tmp_path / "mono.wav")
    stereo = tmp_path / "stereo44k.wav"
    sox = shutil.which("sox")
    assert sox, "sox is installed by ./test.sh"
    subprocess.run([sox, str(src), "-r", "44100", "-c", "2", str(stereo)], check=True)
    proc = run_cli("transcribe", str(stereo), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert "quarterly report" in data["text"].lower()


def test_monologue_hits_the_cap_with_a_polite_interruption(home: Path, tmp_path: Path) -> None:
    from voice_interviewer.config import default_prompts_dir
    from voice_interviewer.content.prompts import load_round

    wav = espeak_wav(PASSAGE, tmp_path / "long.wav")
    (tmp_path / "voice-interviewer.toml").write_text("[audio]\nmax_answer_s = 8.0\nreplay_pace = 0.0\n")
    proc = run_cli("practice", "--answers", f"wav:{wav}", "--no-voice", "--questions", "2", "--no-follow-ups")
    assert proc.returncode == 0, proc.stderr
    data = load_session(next(home.glob("transcripts/*/*/session.json")))
    answer = data["turns"][0]["answer"]
    assert answer["end_reason"] == "max_duration"
    assert 7.5 <= answer["duration_s"] <= 8.5 and answer["text"]  # the audio and words so far are kept
    line = load_round(default_prompts_dir(), "hiring_manager").time_up
    assert " ".join(line.split()) in " ".join(proc.stdout.split())


def test_the_streaming_pass_encodes_less_than_30_s_and_hears_the_same_words(cfg: Config, tmp_path: Path) -> None:
    from voice_interviewer.adapters.audio_file import read_audio
    from voice_interviewer.app.loading import load_streaming_transcriber, load_transcriber

    said = "We cut the build time from forty minutes to twelve."
    samples = read_audio(espeak_wav(said, tmp_path / "s.wav"))
    full = load_transcriber(cfg)
    short = load_streaming_transcriber(cfg)  # 15 s of context, one greedy window
    model = short._model  # type: ignore[attr-defined]
    frames: list[int] = []
    encode = model.encode

    def spy(features: np.ndarray) -> object:
        out = encode(features)
        frames.append(int(out.shape[1]))  # encoder positions: half the frames given
        return out

    model.encode = spy
    said_full, _ = full.transcribe(samples)
    said_short, _ = short.transcribe(samples)
    assert frames and max(frames) <= 800  # 15-16 s of context, not 1500 positions (30 s)
    words = lambda t: [w.strip(".,").lower() for w in t.text.split()]  # noqa: E731
    # Whisper on espeak-ng is not word-for-word repeatable across runs (int8, threads: "the" /
    # "real", "4d" / "40"), so both passes are held to the script rather than to each other.
    import jiwer

    ref = _normalise(said).split()
    wer_full = jiwer.wer(" ".join(ref), _normalise(said_full.text) or "-")
    wer_short = jiwer.wer(" ".join(ref), _normalise(said_short.text) or "-")
    assert wer_short <= max(0.25, wer_full + 0.1), (said_short.text, said_full.text)
    assert "twelve" in words(said_short) or "12" in words(said_short)
    times = [(w.start_s, w.end_s) for w in said_short.words]  # spread over the segment's span
    assert times == sorted(times) and times[0][0] >= 0.0 and times[-1][1] <= len(samples) / 16000 + 0.5
