"""A small CLIP text transformer: token + position embeddings, pre-norm causal layers, final layer norm."""
import torch
from torch import nn

from .layers import attention
from .tokenizer import CONTEXT_LENGTH


class CausalLayer(nn.Module):
    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, width * 3)
        self.out = nn.Linear(width, width)
        self.norm2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, width * 4), nn.GELU(), nn.Linear(width * 4, width))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        q, k, v = self.qkv(self.norm1(x)).chunk(3, dim=-1)
        x = x + self.out(attention(q, k, v, self.heads, mask))
        return x + self.mlp(self.norm2(x))


class TextEncoder(nn.Module):
    """input_ids [b,77] -> (last_hidden_state [b,77,width], pooler_output [b,width] at the first end token)."""

    def __init__(self, vocab_size: int, end_id: int, width: int = 128, layers: int = 2, heads: int = 4):
        super().__init__()
        self.end_id = end_id
        self.token_embedding = nn.Embedding(vocab_size, width)
        self.position_embedding = nn.Parameter(torch.randn(CONTEXT_LENGTH, width) * 0.01)
        self.layers = nn.ModuleList(CausalLayer(width, heads) for _ in range(layers))
        self.final_layer_norm = nn.LayerNorm(width)
        # CLIP's causal mask; a finite large negative keeps it exact in fp16 too.
        self.register_buffer("causal_mask", torch.full((CONTEXT_LENGTH, CONTEXT_LENGTH), -1e4).triu(1), persistent=False)

    def forward(self, input_ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.token_embedding(input_ids) + self.position_embedding
        for layer in self.layers:
            x = layer(x, self.causal_mask)
        hidden = self.final_layer_norm(x)
        # CLIP pools at argmax(input_ids) because its end token has the largest id; the first end token is the same.
        end_position = (input_ids == self.end_id).to(torch.float32).argmax(dim=-1)
        pooled = hidden[torch.arange(hidden.shape[0]), end_position]
        return hidden, pooled
