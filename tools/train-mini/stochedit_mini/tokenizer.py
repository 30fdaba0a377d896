"""CLIP's byte-level BPE (vocab.json + merges.txt, `</w>` end of word, lowercase), with merges learned from captions.

The vocabulary is laid out exactly like CLIP's: 256 byte symbols, the same with `</w>`, one token per merge in
merge order, then `<|startoftext|>` and `<|endoftext|>`. Only its size differs.
"""
import collections
import json
import re
from functools import lru_cache
from pathlib import Path

START_TOKEN = "<|startoftext|>"
END_TOKEN = "<|endoftext|>"
CONTEXT_LENGTH = 77
# CLIP's split pattern restricted to what ASCII captions contain ([\p{L}]+, [\p{N}], [^\s\p{L}\p{N}]+).
WORD_PATTERN = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d|[^\W\d_]+|\d|[^\s\w]+|_+", re.IGNORECASE)


@lru_cache()
def bytes_to_unicode() -> dict[int, str]:
    """CLIP/GPT-2's reversible byte -> printable character table."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            chars.append(256 + extra)
            extra += 1
    return dict(zip(printable, (chr(c) for c in chars)))


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def words_of(text: str) -> list[str]:
    byte_chars = bytes_to_unicode()
    return ["".join(byte_chars[b] for b in word.encode("utf-8")) for word in WORD_PATTERN.findall(normalise(text))]


def learn_merges(captions: list[str], max_merges: int) -> list[tuple[str, str]]:
    """Classic BPE: repeatedly merge the most frequent adjacent pair (ties broken by first occurrence)."""
    word_counts = collections.Counter(word for caption in captions for word in words_of(caption))
    words = {word: (list(word[:-1]) + [word[-1] + "</w>"], count) for word, count in word_counts.items()}
    merges: list[tuple[str, str]] = []
    while len(merges) < max_merges:
        pair_counts: collections.Counter[tuple[str, str]] = collections.Counter()
        for symbols, count in words.values():
            for pair in zip(symbols, symbols[1:]):
                pair_counts[pair] += count
        if not pair_counts:
            break
        best, best_count = pair_counts.most_common(1)[0]
        if best_count < 2:
            break
        merges.append(best)
        for word, (symbols, count) in words.items():
            merged: list[str] = []
            i = 0
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                    merged.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    merged.append(symbols[i])
                    i += 1
            words[word] = (merged, count)
    return merges


class ClipTokenizer:
    def __init__(self, merges: list[tuple[str, str]]):
        self.merges = merges
        self.ranks = {pair: rank for rank, pair in enumerate(merges)}
        symbols = list(bytes_to_unicode().values())
        vocab = symbols + [s + "</w>" for s in symbols] + ["".join(pair) for pair in merges] + [START_TOKEN, END_TOKEN]
        self.vocab = {token: index for index, token in enumerate(vocab)}
        self.start_id = self.vocab[START_TOKEN]
        self.end_id = self.vocab[END_TOKEN]

    def bpe(self, word: str) -> list[str]:
        """CLIP's `bpe()`: merge the lowest-ranked pair until none applies."""
        symbols = list(word[:-1]) + [word[-1] + "</w>"]
        while len(symbols) > 1:
            pairs = [(self.ranks.get(pair, 1 << 30), i) for i, pair in enumerate(zip(symbols, symbols[1:]))]
            rank, _ = min(pairs)
            if rank == 1 << 30:
                break
            best = self.merges[rank]
            merged: list[str] = []
            i = 0
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                    merged.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    merged.append(symbols[i])
                    i += 1
            symbols = merged
        return symbols

    def encode(self, text: str) -> list[int]:
        """[start, tokens..., end] truncated and padded with `<|endoftext|>` to 77, as SD 1.x does."""
        ids = [self.vocab[token] for word in words_of(text) for token in self.bpe(word)]
        ids = [self.start_id] + ids[: CONTEXT_LENGTH - 2] + [self.end_id]
        return ids + [self.end_id] * (CONTEXT_LENGTH - len(ids))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False))
        lines = ["#version: 0.2"] + [f"{a} {b}" for a, b in self.merges]
        (directory / "merges.txt").write_text("\n".join(lines) + "\n")

    @staticmethod
    def load(directory: Path) -> "ClipTokenizer":
        lines = (directory / "merges.txt").read_text().splitlines()[1:]
        return ClipTokenizer([tuple(line.split(" ")) for line in lines if line])  # type: ignore[misc]
