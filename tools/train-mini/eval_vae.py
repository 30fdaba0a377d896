"""Measures the VAE's reconstruction error on canonical renders and writes a side-by-side PNG of a few."""
import argparse
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from stochedit_mini.dataset import CHECKPOINT_DIR, EmojiDataset
from stochedit_mini.vae import AutoencoderKL


@torch.no_grad()
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--png", type=Path, default=None)
    args = parser.parse_args()
    torch.set_num_threads(2)
    data = EmojiDataset()
    vae = AutoencoderKL().eval()
    state = torch.load(CHECKPOINT_DIR / "vae.pt")
    vae.load_state_dict(state["model"])
    canonical = np.array([i for i, item in enumerate(data.index["items"]) if not item["augmented"]])
    chosen = canonical[np.linspace(0, len(canonical) - 1, args.images).astype(int)]
    images = data.batch(chosen)
    mean, _ = vae.encode(images)
    reconstruction = vae.decoder(mean).clamp(-1, 1)
    # Errors on the 0..255 scale: mean absolute error and PSNR.
    difference = (reconstruction - images) * 127.5
    mae = difference.abs().mean().item()
    psnr = 10 * np.log10(255.0**2 / difference.pow(2).mean().item())
    print(f"step {state['step']}: {args.images} images, MAE {mae:.2f}/255, PSNR {psnr:.2f} dB")
    if args.png:
        shown = torch.cat([images[:8], reconstruction[:8]])
        grid = ((shown + 1) * 127.5).round().clamp(0, 255).byte().permute(0, 2, 3, 1).numpy()
        rows = [np.concatenate(list(grid[r * 8 : (r + 1) * 8]), axis=1) for r in range(2)]
        Image.fromarray(np.concatenate(rows, axis=0)).save(args.png)


if __name__ == "__main__":
    main()
