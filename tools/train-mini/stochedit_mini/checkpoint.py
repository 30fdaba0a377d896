"""Atomic checkpoint writes, so a training run killed at any moment leaves a loadable file behind."""
import os
from pathlib import Path

import torch


def save_atomically(state: dict, path: Path) -> None:
    partial = path.with_suffix(path.suffix + ".partial")
    torch.save(state, partial)
    os.replace(partial, path)
