"""Embedder adapter for sentence-transformers."""

from __future__ import annotations

import os

import numpy as np

from ..errors import ModelError
from ..types import ResolvedModel
from .imports import serial_import
from .offline import force_offline


class SentenceTransformerEmbedder:
    """L2-normalised sentence embeddings from a local sentence-transformers folder."""

    def __init__(self, model: ResolvedModel, cpu_threads: int = 0) -> None:
        force_offline()
        serial_import("torch", "sentence_transformers")
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(cpu_threads or (os.cpu_count() or 1))
        self.name = f"{model.name}+torch"
        try:
            self._model = SentenceTransformer(str(model.path), device="cpu", local_files_only=True)
        except Exception as exc:  # safetensors, tokenizers and json each raise their own types
            raise ModelError(
                f"cannot load the embedding model from {model.path}: {str(exc).splitlines()[0]}",
                "run: voice-interviewer models install --force (or fix --embedding-model)",
            ) from exc

    @property
    def dim(self) -> int:
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        return int(get_dim() or 0)

    def embed(self, sentences: list[str]) -> np.ndarray:
        if not sentences:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            sentences,
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)
