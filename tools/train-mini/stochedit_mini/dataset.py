"""Reads the binary training set written by src/build-dataset.ts: index.json + images.u8 (N x 128 x 128 x 3)."""
import json
from pathlib import Path

import numpy as np
import torch

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CHECKPOINT_DIR = Path(__file__).resolve().parent.parent / "checkpoints"


class EmojiDataset:
    def __init__(self, data_dir: Path = DATA_DIR):
        self.index = json.loads((data_dir / "index.json").read_text())
        size = self.index["imageSizePx"]
        count = self.index["count"]
        # The whole set fits in memory (~480 MB); reading it once keeps batches cheap.
        self.images = np.fromfile(data_dir / "images.u8", dtype=np.uint8).reshape(count, size, size, 3)
        self.captions: list[str] = [item["caption"] for item in self.index["items"]]

    def __len__(self) -> int:
        return len(self.captions)

    def batch(self, indices: np.ndarray) -> torch.Tensor:
        """Images as [b,3,H,W] float in [-1,1], SD's VAE input range."""
        pixels = torch.from_numpy(self.images[indices]).permute(0, 3, 1, 2).float()
        return pixels / 127.5 - 1.0
