"""Text generators for optional LLM follow-ups: a local transformers model, or a local
OpenAI-compatible chat endpoint (llama.cpp server, Ollama...). Nothing is downloaded and
only loopback addresses are accepted: answers never leave the machine.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from ..errors import ModelError
from .imports import serial_import
from .offline import force_offline

MAX_NEW_TOKENS = 60


class TransformersGenerator:
    """Greedy generation with a local causal LM: a Hugging Face folder, or a .gguf file."""

    def __init__(self, path: str) -> None:
        force_offline()
        model_path = Path(path).expanduser()
        if not model_path.exists():
            raise ModelError(f"LLM model not found: {model_path}", "check --llm-model")
        self.name = f"llm:{model_path.name}"
        try:
            serial_import("torch", "transformers")
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

            kwargs: dict[str, object] = {"local_files_only": True}
            folder = model_path
            if model_path.suffix == ".gguf":  # transformers reads GGUF (needs the gguf package)
                folder, kwargs["gguf_file"] = model_path.parent, model_path.name
            self._tokenizer = AutoTokenizer.from_pretrained(str(folder), **kwargs)
            self._model = AutoModelForCausalLM.from_pretrained(str(folder), **kwargs).eval()
            self._torch = torch
        except Exception as exc:  # transformers raises many types for unusable folders
            raise ModelError(
                f"the LLM at {model_path} does not load: {str(exc).splitlines()[0][:200]}",
                "point --llm-model at a local causal LM folder or .gguf file (or drop --brain llm)",
            ) from exc

    def __call__(self, prompt: str) -> str:
        inputs = self._tokenizer(prompt, return_tensors="pt")
        with self._torch.inference_mode():
            out = self._model.generate(
                **inputs,
                max_new_tokens=MAX_NEW_TOKENS,
                do_sample=False,
                pad_token_id=self._tokenizer.pad_token_id or self._tokenizer.eos_token_id or 0,
            )
        return str(self._tokenizer.decode(out[0][inputs["input_ids"].shape[1] :], skip_special_tokens=True))


def _loopback_only(url: str) -> None:
    host = urlparse(url).hostname or ""
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except OSError as exc:
        raise ModelError(f"cannot resolve the LLM endpoint host '{host}'", "use http://127.0.0.1:PORT/v1") from exc
    if not addresses or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        raise ModelError(
            f"the LLM endpoint {url} is not on this machine",
            "only local endpoints are allowed (http://127.0.0.1:PORT/v1): answers never leave the machine",
        )


class ChatEndpointGenerator:
    """A local OpenAI-compatible /chat/completions endpoint."""

    def __init__(self, url: str, model: str = "local", timeout_s: float = 15.0) -> None:
        if urlparse(url).scheme not in ("http", "https"):
            raise ModelError(f"invalid LLM endpoint URL: {url}", "use http://127.0.0.1:PORT/v1")
        _loopback_only(url)
        self._url = url.rstrip("/") + "/chat/completions"
        self._model = model
        self._timeout = timeout_s
        self.name = f"llm:{urlparse(url).netloc}"

    def __call__(self, prompt: str) -> str:
        body = json.dumps(
            {
                "model": self._model,
                "messages": [{"role": "user", "content": prompt}],
                "max_tokens": MAX_NEW_TOKENS,
                "temperature": 0.2,
            }
        ).encode()
        request = urllib.request.Request(self._url, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                data = json.loads(response.read())
            return str(data["choices"][0]["message"]["content"])
        except (urllib.error.URLError, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
            raise ModelError(f"the LLM endpoint failed: {exc}", "check the local server") from exc
