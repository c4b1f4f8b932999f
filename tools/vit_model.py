"""Minimal Vision Transformer used for the bundled sample models and the benchmark models.

Shared by tools/make_samples.py and tools/make_bench_models.py so that every TorchScript file the
project ships or generates has the same, documented architecture:

  image [B, C, S, S] -> Conv2d patch embedding (kernel = stride = patch) -> N = (S/patch)^2 tokens
  -> prepend a learned CLS token -> add learned position embeddings (T = N + 1 positions)
  -> `depth` pre-norm blocks  x = x + Attn(LN(x));  x = x + MLP(LN(x))   (MLP: Linear, GELU, Linear)
  -> final LayerNorm -> tokens [B, T, D]   (token 0 = CLS)

The module is written so that torch.jit.script compiles it directly (no Python-only constructs), and
it has no dropout or batch norm, so train and eval mode compute the same function. Every weight is
an nn.Parameter; a scripted export therefore keeps them as trainable parameters when the file is
loaded again (torch.jit.load in Python, or libtorch through DJL with trainParam=true).
"""
from typing import Optional

import torch
from torch import nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        if dim % heads != 0:
            raise ValueError(f"width {dim} is not divisible by heads {heads}")
        self.heads = heads
        self.head_dim = dim // heads
        self.scale = float(self.head_dim) ** -0.5
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        qkv = self.qkv(x).reshape(b, t, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]  # each [B, H, T, hd]
        att = torch.softmax(torch.matmul(q, k.transpose(-2, -1)) * self.scale, dim=-1)
        y = torch.matmul(att, v).transpose(1, 2).reshape(b, t, d)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: float):
        super().__init__()
        hidden = int(dim * mlp_ratio)
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        x = x + self.fc2(F.gelu(self.fc1(self.norm2(x))))
        return x


class ViT(nn.Module):
    """ViT returning all tokens after the final LayerNorm: [B, 1 + (S/patch)^2, width]."""

    def __init__(self, image_size: int, patch: int, channels: int, width: int, depth: int,
                 heads: int, mlp_ratio: float = 2.0):
        super().__init__()
        if image_size % patch != 0:
            raise ValueError(f"image size {image_size} is not a multiple of patch {patch}")
        self.grid = image_size // patch
        self.tokens = self.grid * self.grid + 1
        self.patch_embed = nn.Conv2d(channels, width, kernel_size=patch, stride=patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, width))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.tokens, width))
        self.blocks = nn.ModuleList([Block(width, heads, mlp_ratio) for _ in range(depth)])
        self.norm = nn.LayerNorm(width, eps=1e-6)
        self._init_weights()

    def _init_weights(self) -> None:
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        w = self.patch_embed.weight
        nn.init.xavier_uniform_(w.view(w.shape[0], -1))
        nn.init.zeros_(self.patch_embed.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.patch_embed(x).flatten(2).transpose(1, 2)  # [B, N, D]
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        return self.norm(x)


class Classifier(nn.Module):
    """ViT plus a linear head on the CLS token; used only to train the sample teacher."""

    def __init__(self, backbone: ViT, width: int, classes: int):
        super().__init__()
        self.backbone = backbone
        self.head = nn.Linear(width, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(x)[:, 0])


def export_torchscript(model: ViT, path: str, example: torch.Tensor,
                       train_mode: bool = True) -> torch.jit.ScriptModule:
    """Script `model` (not trace: no shape is baked in), check it matches eager, save it, reload it
    and check the reloaded copy has trainable parameters and back-propagates."""
    model = model.float()
    model.train(train_mode)
    for p in model.parameters():
        p.requires_grad_(True)
    scripted = torch.jit.script(model)
    with torch.no_grad():
        ref = model(example)
        got = scripted(example)
    if not torch.allclose(ref, got, atol=1e-5, rtol=1e-5):
        raise RuntimeError("scripted model disagrees with eager model")
    scripted.save(path)
    check_trainable(path, example)
    return scripted


def check_trainable(path: str, example: Optional[torch.Tensor]) -> int:
    """Reload a TorchScript file; require float32 parameters with requires_grad and a working
    backward. Returns the number of parameter tensors."""
    m = torch.jit.load(path, map_location="cpu")
    params = list(m.parameters())
    if not params:
        raise RuntimeError(f"{path}: no parameters after torch.jit.load")
    for p in params:
        if not p.requires_grad or p.dtype != torch.float32:
            raise RuntimeError(f"{path}: parameter not trainable float32 ({p.dtype}, "
                               f"requires_grad={p.requires_grad})")
    if example is not None:
        m.train()
        out = m(example[:2])
        out.float().pow(2).mean().backward()
        missing = sum(1 for p in params if p.grad is None)
        if missing:
            raise RuntimeError(f"{path}: {missing} parameters got no gradient")
    return len(params)
