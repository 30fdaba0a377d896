"""Encodes the whole dataset once with the frozen VAE: per-image latent mean and std, and SD's scaling factor."""
from pathlib import Path

import numpy as np
import torch

from .checkpoint import save_atomically
from .dataset import EmojiDataset
from .vae import AutoencoderKL


@torch.no_grad()
def encode_dataset(data: EmojiDataset, vae: AutoencoderKL, path: Path, batch: int = 64) -> dict:
    means, stds = [], []
    for start in range(0, len(data), batch):
        mean, logvar = vae.encode(data.batch(np.arange(start, min(start + batch, len(data)))))
        means.append(mean)
        stds.append(torch.exp(0.5 * logvar))
    mean, std = torch.cat(means), torch.cat(stds)
    sampled = mean + std * torch.randn(mean.shape, generator=torch.Generator().manual_seed(0))
    # SD's recipe (0.18215 for SD 1.x): one scalar so that scaled latents have unit variance.
    scaling_factor = float(1.0 / sampled.std())
    state = {"mean": mean, "std": std, "scaling_factor": scaling_factor}
    save_atomically(state, path)
    return state
