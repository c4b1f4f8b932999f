#!/usr/bin/env python3
"""Make random-init TorchScript ViTs for the "large" CosPress benchmark configuration.

Why: the benchmark compares the Java trainer (DJL/libtorch) with the PyTorch reference
(tools/bench_pytorch_step.py) on a configuration heavier than the 28x28 quickstart, closer to real
use, yet affordable on a 2-core CPU. Weights do not matter for timing, so the models are random
(seeded) and generated at benchmark time instead of committed.

What (image 64x64, 3 channels, patch 8 -> 8x8 = 64 patch tokens + CLS = T 65; MLP ratio 2, learned
position embeddings, pre-norm blocks, final LayerNorm; tools/vit_model.py):
  teacher-vit-384.pt  width 384, depth 6, 6 heads  -> output [B, 65, 384]  (exported in eval mode)
  student-vit-192.pt  width 192, depth 6, 3 heads  -> output [B, 65, 192]  (trainable)
Input: float32 [B, 3, 64, 64] (any normalisation; random data in the benchmark).
Both are exported with torch.jit.script in float32 with all weights as trainable parameters, and
re-loaded with torch.jit.load to check that parameters are listed and a backward reaches them.

Usage: python3 tools/make_bench_models.py --out DIR   (a few seconds)

--preset gpu makes the GPU check's pair instead (hack/gpu-check.sh), the sizes of DINO's
ViT-S/14 and a ViT-Ti/14 at 224 px: patch 14 -> 16x16 = 256 patch tokens + CLS = T 257, depth 12,
MLP ratio 4:
  teacher-vit-s14.pt   width 384, 6 heads (ViT-S)    -> output [B, 257, 384]
  student-vit-ti14.pt  width 192, 3 heads (ViT-Ti)   -> output [B, 257, 192]
--preset smoke makes a tiny pair with the same layout for the GPU check's CPU mode (32 px, patch 8,
T 17): teacher-smoke.pt width 64, depth 2; student-smoke.pt width 32, depth 2.
"""
import argparse
import json
import os
import sys

import torch

# TorchScript serialisation writes module constants in Python set order; a fixed hash seed makes
# the saved .pt files byte-reproducible (weights are reproducible either way).
if os.environ.get("PYTHONHASHSEED") != "0" and __name__ == "__main__":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

sys.dont_write_bytecode = True  # no __pycache__ in tools/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vit_model import ViT, export_torchscript  # noqa: E402

TEACHER = dict(image_size=64, patch=8, channels=3, width=384, depth=6, heads=6, mlp_ratio=2.0)
STUDENT = dict(image_size=64, patch=8, channels=3, width=192, depth=6, heads=3, mlp_ratio=2.0)

PRESETS = {
    "large": (("teacher-vit-384.pt", TEACHER), ("student-vit-192.pt", STUDENT)),
    "gpu": (("teacher-vit-s14.pt", dict(image_size=224, patch=14, channels=3, width=384,
                                         depth=12, heads=6, mlp_ratio=4.0)),
            ("student-vit-ti14.pt", dict(image_size=224, patch=14, channels=3, width=192,
                                          depth=12, heads=3, mlp_ratio=4.0))),
    "smoke": (("teacher-smoke.pt", dict(image_size=32, patch=8, channels=3, width=64, depth=2,
                                        heads=2, mlp_ratio=2.0)),
              ("student-smoke.pt", dict(image_size=32, patch=8, channels=3, width=32, depth=2,
                                        heads=2, mlp_ratio=2.0))),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="directory for the two .pt files")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--preset", choices=sorted(PRESETS), default="large")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    (teacher_name, teacher_cfg), (student_name, student_cfg) = PRESETS[args.preset]
    size = teacher_cfg["image_size"]
    example = torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(args.seed))
    facts = {}
    for name, cfg, train_mode, seed in ((teacher_name, teacher_cfg, False, args.seed),
                                        (student_name, student_cfg, True, args.seed + 1)):
        torch.manual_seed(seed)
        model = ViT(**cfg)
        path = os.path.join(args.out, name)
        scripted = export_torchscript(model, path, example, train_mode=train_mode)
        with torch.no_grad():
            shape = list(scripted(example).shape)
        facts[name] = dict(cfg, output_shape=["B"] + shape[1:],
                           parameters=sum(p.numel() for p in model.parameters()),
                           bytes=os.path.getsize(path))
        print(f"{path}: output {shape}, {facts[name]['parameters']:,} parameters, "
              f"{facts[name]['bytes']:,} bytes", flush=True)
    with open(os.path.join(args.out, "bench-models.json"), "w") as f:
        tokens = (size // teacher_cfg["patch"]) ** 2 + 1
        json.dump({"preset": args.preset, "input_shape": ["B", 3, size, size], "tokens": tokens,
                   "models": facts}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
