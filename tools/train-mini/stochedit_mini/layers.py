"""Building blocks shared by the VAE and the UNet: ResNet blocks, attention, group norm."""
import math

import torch
from torch import nn
import torch.nn.functional as F


def group_norm(channels: int) -> nn.GroupNorm:
    # 32 groups as in SD when the width allows it; these models are narrower.
    return nn.GroupNorm(min(32, channels // 4), channels, eps=1e-6)


class ResBlock(nn.Module):
    """SD's ResnetBlock2D: norm-SiLU-conv twice, optional time embedding added between, 1x1 skip on width change."""

    def __init__(self, in_channels: int, out_channels: int, time_channels: int = 0):
        super().__init__()
        self.norm1 = group_norm(in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.time_proj = nn.Linear(time_channels, out_channels) if time_channels else None
        self.norm2 = group_norm(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.skip = nn.Conv2d(in_channels, out_channels, 1) if in_channels != out_channels else nn.Identity()

    def forward(self, x: torch.Tensor, time_embedding: torch.Tensor | None = None) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time_proj is not None and time_embedding is not None:
            h = h + self.time_proj(F.silu(time_embedding))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, heads: int, mask: torch.Tensor | None = None):
    """Multi-head scaled dot-product attention on [batch, tokens, channels], written out so it exports to plain ONNX."""
    batch, q_len, channels = q.shape
    head_dim = channels // heads

    def split(t: torch.Tensor) -> torch.Tensor:
        return t.reshape(t.shape[0], t.shape[1], heads, head_dim).transpose(1, 2)

    scores = torch.matmul(split(q), split(k).transpose(-1, -2)) / math.sqrt(head_dim)
    if mask is not None:
        scores = scores + mask
    weights = scores.softmax(dim=-1)
    return torch.matmul(weights, split(v)).transpose(1, 2).reshape(batch, q_len, channels)


class SelfAttention2d(nn.Module):
    """The VAE mid-block attention: one head over all positions."""

    def __init__(self, channels: int):
        super().__init__()
        self.norm = group_norm(channels)
        self.qkv = nn.Linear(channels, channels * 3)
        self.out = nn.Linear(channels, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        tokens = self.norm(x).reshape(b, c, h * w).transpose(1, 2)
        q, k, v = self.qkv(tokens).chunk(3, dim=-1)
        out = self.out(attention(q, k, v, heads=1))
        return x + out.transpose(1, 2).reshape(b, c, h, w)


class TransformerBlock2d(nn.Module):
    """SD's Transformer2DModel with one BasicTransformerBlock: self-attention, cross-attention to text, feed-forward."""

    def __init__(self, channels: int, context_channels: int, heads: int, ff_mult: int = 2):
        super().__init__()
        self.heads = heads
        self.norm = group_norm(channels)
        self.proj_in = nn.Linear(channels, channels)
        self.norm1 = nn.LayerNorm(channels)
        self.self_qkv = nn.Linear(channels, channels * 3, bias=False)
        self.self_out = nn.Linear(channels, channels)
        self.norm2 = nn.LayerNorm(channels)
        self.cross_q = nn.Linear(channels, channels, bias=False)
        self.cross_kv = nn.Linear(context_channels, channels * 2, bias=False)
        self.cross_out = nn.Linear(channels, channels)
        self.norm3 = nn.LayerNorm(channels)
        self.ff = nn.Sequential(
            nn.Linear(channels, channels * ff_mult), nn.GELU(), nn.Linear(channels * ff_mult, channels)
        )
        self.proj_out = nn.Linear(channels, channels)

    def forward(self, x: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        tokens = self.proj_in(self.norm(x).reshape(b, c, h * w).transpose(1, 2))
        q, k, v = self.self_qkv(self.norm1(tokens)).chunk(3, dim=-1)
        tokens = tokens + self.self_out(attention(q, k, v, self.heads))
        k, v = self.cross_kv(context).chunk(2, dim=-1)
        tokens = tokens + self.cross_out(attention(self.cross_q(self.norm2(tokens)), k, v, self.heads))
        tokens = tokens + self.ff(self.norm3(tokens))
        return x + self.proj_out(tokens).transpose(1, 2).reshape(b, c, h, w)
