"""Trains the text encoder and UNet together on frozen, precomputed VAE latents (epsilon loss, caption dropout).

Resumable from checkpoints/unet.pt; loss logged to checkpoints/unet-loss.csv. Each step draws icons and uses both
rendered variants of each (canonical and jittered), so one text-encoder pass serves two latents.
"""
import argparse
import collections
import copy
import time

import numpy as np
import torch

from stochedit_mini.checkpoint import save_atomically
from stochedit_mini.dataset import CHECKPOINT_DIR, EmojiDataset
from stochedit_mini.latents import encode_dataset
from stochedit_mini.schedule import TRAIN_TIMESTEPS, alphas_cumprod
from stochedit_mini.text_encoder import TextEncoder
from stochedit_mini.tokenizer import ClipTokenizer
from stochedit_mini.unet import UNet
from stochedit_mini.vae import AutoencoderKL

CAPTION_DROPOUT = 0.1
EMA_DECAY = 0.999
WARMUP_STEPS = 200


def build_models(tokenizer: ClipTokenizer) -> tuple[TextEncoder, UNet]:
    text_encoder = TextEncoder(vocab_size=len(tokenizer.vocab), end_id=tokenizer.end_id)
    return text_encoder, UNet(context_channels=text_encoder.final_layer_norm.normalized_shape[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, required=True, help="train until this global step")
    parser.add_argument("--icons", type=int, default=16, help="captions per batch; the batch is twice this")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = EmojiDataset()
    tokenizer = ClipTokenizer.load(CHECKPOINT_DIR / "tokenizer")
    latents_path = CHECKPOINT_DIR / "latents.pt"
    if latents_path.exists():
        latents = torch.load(latents_path)
    else:
        vae = AutoencoderKL()
        vae.load_state_dict(torch.load(CHECKPOINT_DIR / "vae.pt")["model"])
        latents = encode_dataset(data, vae.eval(), latents_path)
    scaling_factor = latents["scaling_factor"]
    print(f"latent scaling factor {scaling_factor:.5f}")

    variants: dict[str, list[int]] = collections.defaultdict(list)
    for index, caption in enumerate(data.captions):
        variants[caption].append(index)
    captions = sorted(variants)
    caption_ids = torch.tensor([tokenizer.encode(c) for c in captions])
    empty_ids = torch.tensor(tokenizer.encode(""))

    text_encoder, unet = build_models(tokenizer)
    parameters = list(text_encoder.parameters()) + list(unet.parameters())
    optimizer = torch.optim.AdamW(parameters, lr=args.lr, weight_decay=0.01)
    ema = {"text_encoder": copy.deepcopy(text_encoder), "unet": copy.deepcopy(unet)}
    checkpoint_path = CHECKPOINT_DIR / "unet.pt"
    step = 0
    if checkpoint_path.exists():
        state = torch.load(checkpoint_path)
        text_encoder.load_state_dict(state["text_encoder"])
        unet.load_state_dict(state["unet"])
        ema["text_encoder"].load_state_dict(state["ema_text_encoder"])
        ema["unet"].load_state_dict(state["ema_unet"])
        optimizer.load_state_dict(state["optimizer"])
        step = state["step"]
        print(f"resumed at step {step}")
    abar = alphas_cumprod()
    rng = np.random.default_rng(step + 1)
    log = (CHECKPOINT_DIR / "unet-loss.csv").open("a")
    started = time.time()
    while step < args.steps:
        chosen = rng.integers(0, len(captions), size=args.icons)
        ids = caption_ids[chosen].clone()
        ids[torch.from_numpy(rng.random(args.icons) < CAPTION_DROPOUT)] = empty_ids
        # Two latents per caption: its two renders (an icon with one render is used twice).
        images = [variants[captions[c]][k % len(variants[captions[c]])] for k in range(2) for c in chosen]
        mean, std = latents["mean"][images], latents["std"][images]
        x0 = (mean + std * torch.randn_like(std)) * scaling_factor
        timesteps = torch.from_numpy(rng.integers(0, TRAIN_TIMESTEPS, size=len(images)))
        noise = torch.randn_like(x0)
        a = abar[timesteps].sqrt()[:, None, None, None]
        c = (1.0 - abar[timesteps]).sqrt()[:, None, None, None]
        context, _ = text_encoder(ids)
        predicted = unet(a * x0 + c * noise, timesteps.float(), context.repeat(2, 1, 1))
        loss = (predicted - noise).pow(2).mean()
        for group in optimizer.param_groups:
            group["lr"] = args.lr * min(1.0, (step + 1) / WARMUP_STEPS)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, 1.0)
        optimizer.step()
        step += 1
        with torch.no_grad():
            decay = min(EMA_DECAY, (1 + step) / (10 + step))
            for live, averaged in ((text_encoder, ema["text_encoder"]), (unet, ema["unet"])):
                for p_avg, p in zip(averaged.parameters(), live.parameters()):
                    p_avg.lerp_(p, 1.0 - decay)
        log.write(f"{step},{loss.item():.5f}\n")
        if step % 50 == 0:
            log.flush()
            print(f"step {step} loss {loss.item():.4f} {(time.time() - started) / 50:.2f}s/step", flush=True)
            started = time.time()
        if step % 200 == 0 or step == args.steps:
            save_atomically(
                {
                    "text_encoder": text_encoder.state_dict(),
                    "unet": unet.state_dict(),
                    "ema_text_encoder": ema["text_encoder"].state_dict(),
                    "ema_unet": ema["unet"].state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "step": step,
                    "scaling_factor": scaling_factor,
                },
                checkpoint_path,
            )
    log.close()


if __name__ == "__main__":
    main()
