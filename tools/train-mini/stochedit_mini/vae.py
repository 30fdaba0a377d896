"""The KL autoencoder: SD's down-sampling factor 8 and 4 latent channels, narrow enough to train on two CPU cores."""
import torch
from torch import nn
import torch.nn.functional as F

from .layers import ResBlock, SelfAttention2d, group_norm

LATENT_CHANNELS = 4


class Encoder(nn.Module):
    """[b,3,H,W] in [-1,1] -> [b,8,H/8,W/8]: mean and log-variance, as SD's `latent_parameters`."""

    def __init__(self, widths=(32, 64, 96)):
        super().__init__()
        # Pixel-unshuffle does the first halving for free, so no convolution ever runs at full resolution.
        self.unshuffle = nn.PixelUnshuffle(2)
        self.conv_in = nn.Conv2d(12, widths[0], 3, padding=1)
        self.block0 = ResBlock(widths[0], widths[0])
        self.down0 = nn.Conv2d(widths[0], widths[1], 3, stride=2, padding=1)
        self.block1 = ResBlock(widths[1], widths[1])
        self.down1 = nn.Conv2d(widths[1], widths[2], 3, stride=2, padding=1)
        self.block2 = ResBlock(widths[2], widths[2])
        self.attn = SelfAttention2d(widths[2])
        self.block3 = ResBlock(widths[2], widths[2])
        self.norm_out = group_norm(widths[2])
        self.conv_out = nn.Conv2d(widths[2], 2 * LATENT_CHANNELS, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.block0(self.conv_in(self.unshuffle(x)))
        h = self.block1(self.down0(h))
        h = self.block3(self.attn(self.block2(self.down1(h))))
        return self.conv_out(F.silu(self.norm_out(h)))


class Decoder(nn.Module):
    """[b,4,h,w] unscaled latents -> [b,3,8h,8w] in about [-1,1]."""

    def __init__(self, widths=(32, 64, 96)):
        super().__init__()
        self.conv_in = nn.Conv2d(LATENT_CHANNELS, widths[2], 3, padding=1)
        self.block2a = ResBlock(widths[2], widths[2])
        self.attn = SelfAttention2d(widths[2])
        self.block2b = ResBlock(widths[2], widths[2])
        self.up1 = nn.Conv2d(widths[2], widths[1], 3, padding=1)
        self.block1 = ResBlock(widths[1], widths[1])
        self.up0 = nn.Conv2d(widths[1], widths[0], 3, padding=1)
        self.block0 = ResBlock(widths[0], widths[0])
        self.norm_out = group_norm(widths[0])
        self.conv_out = nn.Conv2d(widths[0], 12, 3, padding=1)
        self.shuffle = nn.PixelShuffle(2)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.block2b(self.attn(self.block2a(self.conv_in(z))))
        h = self.block1(self.up1(F.interpolate(h, scale_factor=2.0, mode="nearest")))
        h = self.up0(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        h = self.block0(h)
        return self.shuffle(self.conv_out(F.silu(self.norm_out(h))))


class AutoencoderKL(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.decoder = Decoder()

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean, logvar = self.encoder(x).chunk(2, dim=1)
        return mean, logvar.clamp(-30.0, 20.0)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        mean, logvar = self.encode(x)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * logvar)
        return self.decoder(z), mean, logvar
