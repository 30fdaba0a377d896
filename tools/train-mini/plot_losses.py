"""Renders the training loss curves (checkpoints/*-loss.csv) as one small SVG for the model card."""
import argparse
import csv
import math
from pathlib import Path

from stochedit_mini.dataset import CHECKPOINT_DIR

WIDTH, HEIGHT, MARGIN = 640, 260, 48


def smoothed(values: list[float], window: int) -> list[float]:
    out, total = [], 0.0
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def panel(title: str, steps: list[int], values: list[float], x0: float, panel_width: float) -> str:
    """One log-scale panel: the loss per step (light) and its 50-step running mean (dark)."""
    low, high = math.log10(min(values)), math.log10(max(values))
    last = steps[-1]

    def point(step: int, value: float) -> str:
        x = x0 + (step / last) * panel_width
        y = MARGIN + (1 - (math.log10(value) - low) / (high - low)) * (HEIGHT - 2 * MARGIN)
        return f"{x:.1f},{y:.1f}"

    stride = max(1, len(steps) // 800)
    raw = " ".join(point(s, v) for s, v in list(zip(steps, values))[::stride])
    mean = " ".join(point(s, v) for s, v in list(zip(steps, smoothed(values, 50)))[::stride])
    bottom = HEIGHT - MARGIN
    labels = [
        f'<text x="{x0 + panel_width / 2}" y="20" text-anchor="middle" font-weight="bold">{title}</text>',
        f'<text x="{x0}" y="{bottom + 18}">0</text>',
        f'<text x="{x0 + panel_width}" y="{bottom + 18}" text-anchor="end">{last} steps</text>',
        f'<text x="{x0 - 4}" y="{MARGIN + 4}" text-anchor="end">{10 ** high:.3g}</text>',
        f'<text x="{x0 - 4}" y="{bottom}" text-anchor="end">{10 ** low:.3g}</text>',
    ]
    return "\n".join(
        [
            f'<rect x="{x0}" y="{MARGIN}" width="{panel_width}" height="{HEIGHT - 2 * MARGIN}" fill="none" stroke="#bbb"/>',
            f'<polyline points="{raw}" fill="none" stroke="#9ecae1" stroke-width="0.7"/>',
            f'<polyline points="{mean}" fill="none" stroke="#08519c" stroke-width="1.6"/>',
            *labels,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    vae_rows = list(csv.reader((CHECKPOINT_DIR / "vae-loss.csv").open()))
    unet_rows = list(csv.reader((CHECKPOINT_DIR / "unet-loss.csv").open()))
    panel_width = (WIDTH - 3 * MARGIN) / 2
    body = [
        panel("VAE: L1 (64 px crops, whole 128 px from step 1250)", [int(r[0]) for r in vae_rows], [float(r[2]) for r in vae_rows], MARGIN, panel_width),
        panel("UNet: epsilon MSE (batch 32, 16 from step 1600)", [int(r[0]) for r in unet_rows], [float(r[1]) for r in unet_rows], 2 * MARGIN + panel_width, panel_width),
    ]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" '
        f'font-size="11"><title>stochedit-mini training losses</title><rect width="100%" height="100%" fill="#fff"/>\n' + "\n".join(body) + "\n</svg>\n"
    )
    args.out.write_text(svg)


if __name__ == "__main__":
    main()
