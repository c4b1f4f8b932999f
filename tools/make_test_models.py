"""Tiny TorchScript models for the trainer's input-error tests (committed under
trainer/src/test/resources/models/). Each one exercises a shape or output form a user may hand
the trainer: pooled embeddings, tuple and dict outputs, and a different token grid.

Run with Debian's python3-torch:  /usr/bin/python3 tools/make_test_models.py
"""
import os
from typing import Dict, Tuple

import torch
from torch import nn

from vit_model import ViT

OUT = os.path.join(os.path.dirname(__file__), "..", "trainer", "src", "test", "resources", "models")


class Pooled(nn.Module):
    """Returns only the CLS embedding [B, D], like a teacher exported with pooling."""

    def __init__(self, vit: ViT):
        super().__init__()
        self.vit = vit

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.vit(x)[:, 0]


class TupleOut(nn.Module):
    """Returns (pooled [B, D], tokens [B, T, D])."""

    def __init__(self, vit: ViT):
        super().__init__()
        self.vit = vit

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        t = self.vit(x)
        return t[:, 0], t


class DictOut(nn.Module):
    """Returns {"pooled": [B, D], "tokens": [B, T, D]}."""

    def __init__(self, vit: ViT):
        super().__init__()
        self.vit = vit

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        t = self.vit(x)
        return {"pooled": t[:, 0], "tokens": t}


def main() -> None:
    torch.manual_seed(3)
    os.makedirs(OUT, exist_ok=True)
    x = torch.randn(2, 1, 28, 28)

    def tiny(patch: int, width: int) -> ViT:
        return ViT(image_size=28, patch=patch, channels=1, width=width, depth=1, heads=2).eval()

    models = {
        "teacher-pooled.pt": Pooled(tiny(4, 16)),
        "teacher-tuple.pt": TupleOut(tiny(4, 16)),
        "teacher-dict.pt": DictOut(tiny(4, 16)),
        "student-patch7.pt": tiny(7, 8),  # 4x4 grid + CLS = 17 tokens instead of 50
        "student-patch4.pt": tiny(4, 8),
    }
    for name, model in models.items():
        scripted = torch.jit.script(model)
        scripted.save(os.path.join(OUT, name))
        out = scripted(x)
        print(name, {k: tuple(v.shape) for k, v in out.items()} if isinstance(out, dict)
              else [tuple(o.shape) for o in out] if isinstance(out, tuple) else tuple(out.shape))


if __name__ == "__main__":
    main()
