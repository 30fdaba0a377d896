"""Learns the BPE merges from the dataset's captions and writes checkpoints/tokenizer/{vocab.json,merges.txt}."""
from stochedit_mini.dataset import CHECKPOINT_DIR, EmojiDataset
from stochedit_mini.tokenizer import ClipTokenizer, learn_merges

MAX_MERGES = 2500


def main() -> None:
    captions = sorted(set(EmojiDataset().captions))
    tokenizer = ClipTokenizer(learn_merges(captions, MAX_MERGES))
    tokenizer.save(CHECKPOINT_DIR / "tokenizer")
    lengths = [sum(1 for i in tokenizer.encode(c) if i != tokenizer.end_id) for c in captions]
    print(f"{len(captions)} captions, {len(tokenizer.merges)} merges, vocab {len(tokenizer.vocab)}, "
          f"max tokens per caption {max(lengths)}")
    for caption in captions[:3]:
        print(caption, tokenizer.encode(caption)[:12])


if __name__ == "__main__":
    main()
