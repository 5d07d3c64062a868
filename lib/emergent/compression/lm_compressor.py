"""A real lossless compressor: a tiny byte-level GPT-2 predicts, a range coder writes the bits.

Two modes:

- **static**: sender and receiver both hold the same trained model. The compressed stream costs
  ``sum -log2 p(x_i | context)`` bits plus a few bytes of coder overhead and a 29-byte header.
- **prequential** (online): both sides start from the same *untrained* model (same shape, same
  seed) and, after each chunk, take the same training step on it. No weights are ever sent, and
  the code length is the area under the online training-loss curve.

The decoder must reproduce the encoder's probability tables *bit for bit*: one flipped
floating-point bit can move a boundary between two symbols' slices and the rest of the stream
decodes to garbage. So both sides run the very same function (:class:`Predictor`), with the same
batch shape, on the same inputs, in float32 on the CPU with one thread, and the probabilities are
quantised to integer frequencies by the same deterministic rule inside ``constriction``.

The stream format, a header that protects itself and then the coder's words, is in
:mod:`emergent.compression.stream`. A stream made by another model, a truncated stream or a
corrupted one is refused with :class:`CompressedStreamError`; the checksums make sure wrong
bytes are never returned silently.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import time
from dataclasses import asdict, dataclass, field

import constriction
import numpy as np
import torch
import torch.nn.functional as F

from emergent.compression.arithmetic_coding import CATEGORICAL
from emergent.compression.stream import (
    HEADER,
    PREQUENTIAL,
    STATIC,
    CompressedStreamError,
    pack,
    unpack,
    verified,
)
from emergent.core.config import Config
from emergent.core.models import TinyGPT2, tiny_gpt2

BOS = 10  # every block starts after an implicit newline, which is not part of the data
MAX_ROWS = 1024  # blocks coded side by side; bounds the memory of the key/value cache


@contextlib.contextmanager
def _one_thread():
    """Run with one CPU thread: reductions then add up in one fixed order, on every machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# --------------------------------------------------------------------------------------------
# The predictor: GPT-2's forward pass one position at a time, with a key/value cache


class Predictor:
    """Next-byte probabilities for ``rows`` blocks at once, one position per call.

    A plain re-implementation of GPT-2's forward pass reading a ``GPT2LMHeadModel``'s weights, so
    that every operation, and its order, is written here and is the same for encoder and decoder.
    """

    def __init__(self, model, rows: int):
        config = model.config
        if config.vocab_size != 256:
            raise ValueError(
                f"A byte-level model needs vocab_size=256, this one has {config.vocab_size}."
            )
        self.w = {
            k: v.detach().to("cpu", torch.float32).clone() for k, v in model.state_dict().items()
        }
        self.heads, self.width = config.n_head, config.n_embd
        self.layers, self.eps = config.n_layer, config.layer_norm_epsilon
        size = self.width // self.heads
        positions = config.n_positions
        # keys and values of every layer: (rows, heads, positions, head size)
        self.cache = [
            (
                torch.zeros(rows, self.heads, positions, size),
                torch.zeros(rows, self.heads, positions, size),
            )
            for _ in range(self.layers)
        ]

    def _norm(self, h, name):
        return F.layer_norm(
            h, (self.width,), self.w[name + ".weight"], self.w[name + ".bias"], self.eps
        )

    def _linear(self, h, name):  # GPT-2's Conv1D: weight stored as (in, out)
        return torch.addmm(self.w[name + ".bias"], h, self.w[name + ".weight"])

    def step(self, tokens: torch.Tensor, position: int) -> np.ndarray:
        """Probabilities of the byte at ``position + 1`` given the tokens up to ``position``: (rows, 256)."""
        rows = tokens.shape[0]
        size = self.width // self.heads
        h = (
            self.w["transformer.wte.weight"][tokens] + self.w["transformer.wpe.weight"][position]
        )  # (rows, d)
        for layer in range(self.layers):
            p = f"transformer.h.{layer}."
            q, k, v = (
                self._linear(self._norm(h, p + "ln_1"), p + "attn.c_attn")
                .view(rows, 3, self.heads, size)
                .unbind(1)
            )
            keys, values = self.cache[layer]
            keys[:, :, position], values[:, :, position] = k, v  # (rows, heads, size)
            scores = (
                q.unsqueeze(2) @ keys[:, :, : position + 1].transpose(-1, -2) / math.sqrt(size)
            )  # (rows, heads, 1, t)
            mixed = (scores.softmax(-1) @ values[:, :, : position + 1]).reshape(rows, self.width)
            h = h + self._linear(mixed, p + "attn.c_proj")
            hidden = F.gelu(
                self._linear(self._norm(h, p + "ln_2"), p + "mlp.c_fc"), approximate="tanh"
            )
            h = h + self._linear(hidden, p + "mlp.c_proj")
        logits = (
            self._norm(h, "transformer.ln_f") @ self.w["transformer.wte.weight"].T
        )  # (rows, 256)
        return logits.softmax(-1).double().numpy()


def block_length(model_or_shape) -> int:
    """Bytes per block: the context holds the start token and ``n_positions - 1`` bytes."""
    config = model_or_shape.config if hasattr(model_or_shape, "config") else model_or_shape
    return config.n_positions - 1


def block_spans(length: int, block: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of each block of a message of ``length`` bytes."""
    return [(start, min(start + block, length)) for start in range(0, length, block)]


def _code_group(model, data: bytes | None, spans, decoder=None):
    """Encode (``data`` given) or decode (``decoder`` given) the blocks ``spans`` side by side.

    Returns ``(symbols in coding order, probability rows in the same order, decoded bytes)``.
    Both directions walk the same positions with the same inputs: the byte before, or the start
    token at position 0 and for blocks that have already ended.
    """
    rows, block = len(spans), max(stop - start for start, stop in spans)
    lengths = np.array([stop - start for start, stop in spans])
    padded = np.full((rows, block), BOS, dtype=np.int64)  # (rows, block)
    if data is not None:
        raw = np.frombuffer(data, dtype=np.uint8)
        for row, (start, stop) in enumerate(spans):
            padded[row, : stop - start] = raw[start:stop]
    predictor = Predictor(model, rows)
    tokens = torch.full((rows,), BOS, dtype=torch.long)
    symbols, tables = [], []
    for position in range(block):
        probabilities = predictor.step(tokens, position)  # (rows, 256)
        active = lengths > position
        if decoder is not None:
            padded[active, position] = decoder.decode(
                CATEGORICAL, np.ascontiguousarray(probabilities[active])
            )
        symbols.append(padded[active, position])
        tables.append(probabilities[active])
        tokens = torch.from_numpy(padded[:, position].copy())
    decoded = b"".join(padded[row, :n].astype(np.uint8).tobytes() for row, n in enumerate(lengths))
    return np.concatenate(symbols), np.concatenate(tables), decoded


def _groups(length: int, block: int):
    spans = block_spans(length, block)
    return [spans[i : i + MAX_ROWS] for i in range(0, len(spans), MAX_ROWS)]


def _ideal_bits(symbols: np.ndarray, tables: np.ndarray) -> float:
    chosen = tables[np.arange(symbols.size), symbols] / tables.sum(1)
    return float(-np.log2(chosen).sum())


# --------------------------------------------------------------------------------------------
# Fingerprints and the decoder


def model_fingerprint(model) -> bytes:
    """8 bytes that identify a model: its shape and every weight, bit for bit."""
    digest = hashlib.sha256(
        json.dumps(model.config.to_dict(), sort_keys=True, default=str).encode()
    )
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().to("cpu", torch.float32).contiguous().numpy().tobytes())
    return digest.digest()[:8]


def _decoder(words: np.ndarray):
    if words.size == 0:
        words = np.zeros(
            1, dtype=np.uint32
        )  # the coder needs something to read; the checksum judges
    return constriction.stream.queue.RangeDecoder(words)


@dataclass
class CodeReport:
    """What one compression cost, in bits, and how long it took."""

    length: int = 0  # bytes of plaintext
    ideal_bits: float = 0.0  # sum of -log2 p(x_i | context) under the model's float probabilities
    payload_bits: int = 0  # what the range coder wrote
    header_bits: int = 8 * HEADER.size
    seconds: float = 0.0
    online_loss_bits: list = field(
        default_factory=list
    )  # prequential: summed training loss per chunk
    chunk_bytes: list = field(default_factory=list)

    @property
    def total_bits(self) -> int:
        return self.payload_bits + self.header_bits

    @property
    def bits_per_byte(self) -> float:
        return self.total_bits / max(1, self.length)

    @property
    def overhead(self) -> float:
        """Payload over the ideal code length, minus one (0.001 is 0.1 %)."""
        return self.payload_bits / self.ideal_bits - 1 if self.ideal_bits else 0.0

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "total_bits": self.total_bits,
            "bits_per_byte": self.bits_per_byte,
            "overhead": self.overhead,
        }


# --------------------------------------------------------------------------------------------
# Static mode


class LMCompressor:
    """Compress bytes with a trained byte-level GPT-2 that the receiver also holds."""

    def __init__(self, model):
        if getattr(getattr(model, "config", None), "vocab_size", None) != 256:
            raise ValueError("LMCompressor needs a byte-level GPT2LMHeadModel (vocab_size=256).")
        self.model = model
        self.fingerprint = model_fingerprint(model)
        self.block = block_length(model)
        self.report = CodeReport()

    def compress(self, data: bytes) -> bytes:
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(
                f"compress takes bytes, got {type(data).__name__}; encode text first, e.g. text.encode('utf-8')."
            )
        data, start = bytes(data), time.perf_counter()
        encoder = constriction.stream.queue.RangeEncoder()
        ideal = 0.0
        with _one_thread(), torch.inference_mode():
            for spans in _groups(len(data), self.block):
                symbols, tables, _ = _code_group(self.model, data, spans)
                encoder.encode(symbols.astype(np.int32), CATEGORICAL, tables)
                ideal += _ideal_bits(symbols, tables)
        words = encoder.get_compressed()
        self.report = CodeReport(
            len(data), ideal, 32 * words.size, seconds=time.perf_counter() - start
        )
        return pack(STATIC, self.fingerprint, data, words)

    def decompress(self, blob: bytes) -> bytes:
        length, crc, words = unpack(blob, STATIC, self.fingerprint)
        decoder, parts = _decoder(words), []
        try:
            with _one_thread(), torch.inference_mode():
                for spans in _groups(length, self.block):
                    parts.append(_code_group(self.model, None, spans, decoder=decoder)[2])
        except (AssertionError, RuntimeError, ValueError) as error:
            raise CompressedStreamError(
                f"The range decoder failed ({error}): the stream is corrupted."
            ) from None
        return verified(b"".join(parts), length, crc)


# --------------------------------------------------------------------------------------------
# Prequential mode


@dataclass(frozen=True)
class OnlineRecipe(Config):
    """How both sides train while they code. Part of the fingerprint: both must use the same."""

    learning_rate: float = 3e-3  # constant: the length of the stream is not known in advance
    blocks_per_chunk: int = 4  # one training step per chunk of this many blocks
    seed: int = 0  # initial weights; sent implicitly, as part of "the program"


class PrequentialCompressor:
    """Compress bytes with a GPT-2 that both sides train, in lock step, on the data as it streams."""

    def __init__(self, shape: TinyGPT2, recipe: OnlineRecipe = OnlineRecipe()):
        if shape.vocab_size != 256:
            raise ValueError(f"A byte-level model needs vocab_size=256, got {shape.vocab_size}.")
        if recipe.blocks_per_chunk < 1 or recipe.learning_rate <= 0:
            raise ValueError("blocks_per_chunk must be at least 1 and learning_rate positive.")
        self.shape, self.recipe = shape, recipe
        self.block = shape.n_positions - 1
        digest = hashlib.sha256(model_fingerprint(self._fresh_model()[0]))
        digest.update(json.dumps(recipe.as_dict(), sort_keys=True).encode())
        self.fingerprint = digest.digest()[:8]
        self.report = CodeReport()

    def _fresh_model(self):
        with _one_thread():
            model = tiny_gpt2(self.shape, seed=self.recipe.seed).to("cpu")
        optimiser = torch.optim.AdamW(
            model.parameters(), lr=self.recipe.learning_rate, weight_decay=0.0
        )
        return model, optimiser

    def _train_step(self, model, optimiser, chunk: bytes) -> float:
        """One step on the chunk just coded; returns its summed loss in bits (measured before the step).

        Not the book's trainer, on purpose: encoder and decoder must take the very same step after
        the very same chunk, in lock step with the coding, one chunk at a time."""
        spans = block_spans(len(chunk), self.block)
        ids = torch.full((len(spans), self.block + 1), BOS, dtype=torch.long)
        labels = torch.full_like(ids, -100)
        raw = torch.frombuffer(bytearray(chunk), dtype=torch.uint8).long()
        for row, (start, stop) in enumerate(spans):
            ids[row, 1 : 1 + stop - start] = raw[start:stop]
            labels[row, 1 : 1 + stop - start] = raw[start:stop]
        model.train()
        loss = model(input_ids=ids, labels=labels).loss  # mean nats per byte of the chunk
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        model.eval()
        return loss.item() * len(chunk) / math.log(2)

    def _chunks(self, length: int):
        size = self.block * self.recipe.blocks_per_chunk
        return [(start, min(start + size, length)) for start in range(0, length, size)]

    def compress(self, data: bytes) -> bytes:
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(
                f"compress takes bytes, got {type(data).__name__}; encode text first, e.g. text.encode('utf-8')."
            )
        data, start = bytes(data), time.perf_counter()
        model, optimiser = self._fresh_model()
        encoder, report = constriction.stream.queue.RangeEncoder(), CodeReport(len(data))
        with _one_thread():
            for begin, end in self._chunks(len(data)):
                chunk = data[begin:end]
                with torch.inference_mode():
                    symbols, tables, _ = _code_group(
                        model, chunk, block_spans(len(chunk), self.block)
                    )
                encoder.encode(symbols.astype(np.int32), CATEGORICAL, tables)
                report.ideal_bits += _ideal_bits(symbols, tables)
                report.online_loss_bits.append(self._train_step(model, optimiser, chunk))
                report.chunk_bytes.append(len(chunk))
        words = encoder.get_compressed()
        report.payload_bits, report.seconds = 32 * words.size, time.perf_counter() - start
        self.report = report
        return pack(PREQUENTIAL, self.fingerprint, data, words)

    def decompress(self, blob: bytes) -> bytes:
        length, crc, words = unpack(blob, PREQUENTIAL, self.fingerprint)
        model, optimiser = self._fresh_model()
        decoder, parts = _decoder(words), []
        try:
            with _one_thread():
                for begin, end in self._chunks(length):
                    with torch.inference_mode():
                        chunk = _code_group(
                            model, None, block_spans(end - begin, self.block), decoder=decoder
                        )[2]
                    parts.append(chunk)
                    self._train_step(model, optimiser, chunk)
        except (AssertionError, RuntimeError, ValueError) as error:
            raise CompressedStreamError(
                f"The range decoder failed ({error}): the stream is corrupted."
            ) from None
        return verified(b"".join(parts), length, crc)
