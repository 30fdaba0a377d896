"""A small text-conditioned UNet on 16x16 latents: SD's ResNet blocks, with cross-attention below full resolution.

Attention at the full latent resolution cost more than everything else together on CPU, so, as SD does for its
lowest resolution the other way round, the outermost level has ResNet blocks only.
"""
import math

import torch
from torch import nn
import torch.nn.functional as F

from .layers import ResBlock, TransformerBlock2d, group_norm


def timestep_embedding(timesteps: torch.Tensor, channels: int) -> torch.Tensor:
    """SD's sinusoidal embedding (flip_sin_to_cos=True, freq_shift=0) of float timesteps [b]."""
    half = channels // 2
    exponent = -math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half
    angles = timesteps.to(torch.float32)[:, None] * torch.exp(exponent)[None, :]
    return torch.cat([torch.cos(angles), torch.sin(angles)], dim=-1)


class UNet(nn.Module):
    def __init__(self, context_channels: int, widths=(64, 128), heads: int = 4, time_channels: int = 256):
        super().__init__()
        w0, w1 = widths
        self.time_embed_channels = widths[0]
        self.time_mlp = nn.Sequential(nn.Linear(w0, time_channels), nn.SiLU(), nn.Linear(time_channels, time_channels))
        self.conv_in = nn.Conv2d(4, w0, 3, padding=1)
        self.down0 = ResBlock(w0, w0, time_channels)
        self.downsample0 = nn.Conv2d(w0, w0, 3, stride=2, padding=1)
        self.down1 = ResBlock(w0, w1, time_channels)
        self.down1_attn = TransformerBlock2d(w1, context_channels, heads)
        self.downsample1 = nn.Conv2d(w1, w1, 3, stride=2, padding=1)
        self.mid0 = ResBlock(w1, w1, time_channels)
        self.mid_attn = TransformerBlock2d(w1, context_channels, heads)
        self.mid1 = ResBlock(w1, w1, time_channels)
        self.upsample1 = nn.Conv2d(w1, w1, 3, padding=1)
        self.up1 = ResBlock(w1 + w1, w1, time_channels)
        self.up1_attn = TransformerBlock2d(w1, context_channels, heads)
        self.upsample0 = nn.Conv2d(w1, w1, 3, padding=1)
        self.up0 = ResBlock(w1 + w0, w0, time_channels)
        self.norm_out = group_norm(w0)
        self.conv_out = nn.Conv2d(w0, 4, 3, padding=1)
        # Zero-initialised output, as in SD, so training starts from predicting zero noise.
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        # Up-sampling to the skip connection's size (not by a factor 2) serves any latent size, odd ones included.
        # A scalar timestep (current optimum exports) or one per batch item both broadcast to [b].
        timesteps = timestep.reshape(-1).expand(sample.shape[0])
        t = self.time_mlp(timestep_embedding(timesteps, self.time_embed_channels))
        h0 = self.down0(self.conv_in(sample), t)
        h1 = self.down1_attn(self.down1(self.downsample0(h0), t), context)
        h = self.mid1(self.mid_attn(self.mid0(self.downsample1(h1), t), context), t)
        h = self.upsample1(F.interpolate(h, size=h1.shape[-2:], mode="nearest"))
        h = self.up1_attn(self.up1(torch.cat([h, h1], dim=1), t), context)
        h = self.upsample0(F.interpolate(h, size=h0.shape[-2:], mode="nearest"))
        h = self.up0(torch.cat([h, h0], dim=1), t)
        return self.conv_out(F.silu(self.norm_out(h)))
