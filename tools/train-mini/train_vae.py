"""Trains the KL autoencoder on the emoji images; resumable from checkpoints/vae.pt, loss logged to vae-loss.csv."""
import argparse
import time

import numpy as np
import torch

from stochedit_mini.checkpoint import save_atomically
from stochedit_mini.dataset import CHECKPOINT_DIR, EmojiDataset
from stochedit_mini.vae import AutoencoderKL

KL_WEIGHT = 1e-4


def random_crops(images: torch.Tensor, crop_px: int, rng: np.random.Generator) -> torch.Tensor:
    if crop_px >= images.shape[-1]:
        return images
    out = []
    for image in images:
        top, left = rng.integers(0, images.shape[-1] - crop_px + 1, size=2)
        out.append(image[:, top : top + crop_px, left : left + crop_px])
    return torch.stack(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, required=True, help="train until this global step")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--crop", type=int, default=64, help="train on random crops of this size (fully convolutional)")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    CHECKPOINT_DIR.mkdir(parents=True, exist_ok=True)
    checkpoint_path = CHECKPOINT_DIR / "vae.pt"
    data = EmojiDataset()
    model = AutoencoderKL()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    step = 0
    if checkpoint_path.exists():
        state = torch.load(checkpoint_path)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step = state["step"]
        print(f"resumed at step {step}")
    for group in optimizer.param_groups:
        group["lr"] = args.lr
    rng = np.random.default_rng(step)
    log = (CHECKPOINT_DIR / "vae-loss.csv").open("a")
    started = time.time()
    while step < args.steps:
        indices = rng.integers(0, len(data), size=args.batch)
        images = random_crops(data.batch(indices), args.crop, rng)
        if rng.random() < 0.5:
            images = images.flip(-1)
        reconstruction, mean, logvar = model(images)
        l1 = (reconstruction - images).abs().mean()
        kl = 0.5 * (mean.pow(2) + logvar.exp() - 1.0 - logvar).mean()
        loss = l1 + KL_WEIGHT * kl
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        step += 1
        log.write(f"{step},{args.crop},{l1.item():.5f},{kl.item():.4f}\n")
        if step % 50 == 0:
            log.flush()
            print(f"step {step} l1 {l1.item():.4f} kl {kl.item():.3f} {(time.time() - started) / 50:.2f}s/step", flush=True)
            started = time.time()
        if step % 250 == 0 or step == args.steps:
            save_atomically({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step}, checkpoint_path)
    log.close()


if __name__ == "__main__":
    main()
