"""Optional LLM follow-ups: validation, fallback, a tiny random local model, a fake local endpoint."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from tests.interview.test_policy import HM, analysis
from voice_interviewer.errors import ModelError
from voice_interviewer.interview.llm_brain import LlmBrain, validate
from voice_interviewer.types import Gap

GAP = ["situation", "task", "action"]  # no result: the policy probes "result"


def brain(reply: str | Exception) -> LlmBrain:
    def generate(prompt: str) -> str:
        assert "Candidate's answer:" in prompt and "result" in prompt
        if isinstance(reply, Exception):
            raise reply
        return reply

    return LlmBrain(generate, "llm:test", lambda: {})


def test_valid_model_question_is_used_on_the_policys_target() -> None:
    decision = brain("How did the billing migration turn out in the end?")(analysis(GAP), HM, (), 2, None)
    assert decision.brain == "llm:test" and decision.target == "result"
    assert decision.text == "How did the billing migration turn out in the end?"


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        ("Tell me more.", "not a question"),
        ("What happened? And why?", "more than one question"),
        ("Why?", "words"),
        ("What was your favourite programming language at the time of this project?", "does not ask about result"),
    ],
)
def test_bad_model_output_falls_back_to_the_policy(reply: str, why: str) -> None:
    decision = brain(reply)(analysis(GAP), HM, (), 2, None)
    assert decision.brain == "policy" and decision.target == "result"
    assert why in decision.rationale and decision.text.endswith("?")


def test_generator_failure_falls_back() -> None:
    decision = brain(ModelError("endpoint down"))(analysis(GAP), HM, (), 2, None)
    assert decision.brain == "policy" and "failed" in decision.rationale


def test_repeat_is_rejected() -> None:
    first, why = validate("How did it turn out in the end?", Gap.RESULT, [])
    assert first and not why
    assert validate("How did it turn out in the end?", Gap.RESULT, [first])[1] == "repeats an earlier question"


def test_complete_answer_needs_no_model() -> None:
    calls: list[str] = []
    b = LlmBrain(lambda p: calls.append(p) or "x", "llm:test", lambda: {})
    full = analysis(["situation", "task", "action", "result"])
    assert b(full, HM, ("depth:general",), 2, None).target is None and calls == []  # depth probe asked already


@pytest.fixture()
def tiny_model(tmp_path: Path) -> Path:
    """A randomly initialised GPT-2 built from a config, with a small word-level tokenizer: no download."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    words = ["[UNK]", "[EOS]", "what", "how", "did", "the", "result", "turn", "out", "you", "?", ".", "a"]
    vocab = {w: i for i, w in enumerate(words)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", eos_token="[EOS]", pad_token="[EOS]")
    folder = tmp_path / "tiny-gpt2"
    fast.save_pretrained(folder)
    config = GPT2Config(
        vocab_size=len(vocab), n_positions=256, n_embd=16, n_layer=1, n_head=2, eos_token_id=1, bos_token_id=1
    )
    GPT2LMHeadModel(config).save_pretrained(folder)
    return folder


@pytest.mark.models
def test_tiny_local_model_runs_and_its_output_is_validated(tiny_model: Path) -> None:
    from voice_interviewer.adapters.llm import TransformersGenerator

    generator = TransformersGenerator(str(tiny_model))
    text = generator("what did you do ?")
    assert isinstance(text, str)
    decision = LlmBrain(generator, generator.name, lambda: {})(analysis(GAP), HM, (), 2, None)
    assert decision.target == "result"
    assert decision.brain in ("policy", generator.name)  # random weights: almost surely rejected
    if decision.brain == "policy":
        assert "output rejected" in decision.rationale


def test_model_path_that_does_not_load(tmp_path: Path) -> None:
    from voice_interviewer.adapters.llm import TransformersGenerator

    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="does not load"):
        TransformersGenerator(str(tmp_path))


class _Chat(BaseHTTPRequestHandler):
    reply = "How did the billing migration turn out in the end?"

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert body["messages"][0]["role"] == "user"
        payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": self.reply}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def endpoint() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Chat)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_local_chat_endpoint(endpoint: str) -> None:
    from voice_interviewer.adapters.llm import ChatEndpointGenerator

    generator = ChatEndpointGenerator(endpoint)
    decision = LlmBrain(generator, generator.name, lambda: {})(analysis(GAP), HM, (), 2, None)
    assert decision.brain.startswith("llm:127.0.0.1") and decision.text == _Chat.reply


def test_unreachable_and_remote_endpoints() -> None:
    from voice_interviewer.adapters.llm import ChatEndpointGenerator

    with pytest.raises(ModelError, match="not on this machine"):
        ChatEndpointGenerator("http://10.1.2.3:8080/v1")
    dead = ChatEndpointGenerator("http://127.0.0.1:9/v1", timeout_s=2)
    decision = LlmBrain(dead, dead.name, lambda: {})(analysis(GAP), HM, (), 2, None)
    assert decision.brain == "policy" and "failed" in decision.rationale


def test_practice_with_an_unusable_llm_goes_on_with_the_policy(home: Path, tmp_path: Path) -> None:
    from tests.conftest import practice_typed

    proc = practice_typed(
        "--brain",
        "llm",
        "--llm-model",
        str(tmp_path / "nope"),
        input="We fixed it.\n\nOk.\n\nFine.\n\n",
    )
    assert proc.returncode == 0, proc.stderr
    assert "LLM follow-ups are off" in proc.stdout and "deterministic policy" in proc.stdout
    from voice_interviewer.store.schema import load_session

    turns = load_session(next(home.glob("transcripts/*/*/session.json")))["turns"]
    assert len(turns) >= 2 and turns[1]["is_follow_up"]  # the policy still asked its follow-up
    assert turns[0]["follow_up"]["brain"] == "policy"


def test_practice_with_a_local_endpoint_records_the_llm_brain(home: Path, endpoint: str) -> None:
    from tests.conftest import practice_typed
    from voice_interviewer.store.schema import load_session

    answers = (
        "Our team migrated billing last year. I owned the cutover and I rewrote the reconciliation job.\n\nOk.\n\n"
    )
    proc = practice_typed(
        "--brain",
        "llm",
        "--llm-url",
        endpoint,
        input=answers,
    )
    assert proc.returncode == 0, proc.stderr
    turns = load_session(next(home.glob("transcripts/*/*/session.json")))["turns"]
    first = turns[0]["follow_up"]
    assert first["target"] == "result"
    assert first["brain"].startswith("llm:127.0.0.1") and first["text"] == _Chat.reply
    assert turns[1]["question"] == _Chat.reply
