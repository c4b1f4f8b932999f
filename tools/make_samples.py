#!/usr/bin/env python3
"""Make the sample data, teacher and student that ship in examples/.

Why: the quickstart (`cospress-trainer run -f examples/...`), the trainer's integration tests and
the benchmark need a real teacher, a trainable student and real images, and there is no model hub
or internet here. Everything is therefore built from Debian's Fashion-MNIST (package
dataset-fashion-mnist, MIT licence, Zalando Research) with Debian's PyTorch (python3-torch).

How (all deterministic for a given --seed, PyTorch build, BLAS and thread count):
  1. Data: a class-balanced subset of Fashion-MNIST, rewritten as gzipped IDX files with the same
     layout as the originals. In-distribution = classes 0..7; OOD = classes 8 (Bag), 9 (Ankle boot).
       train-*  500 images per class 0..7 from the original train split (4000)
       val-*    125 images per class 0..7 from the original t10k split (1000)
       ood-*    250 images per class 8, 9 from the original t10k split (500)
  2. Teacher: a ViT (28x28x1, patch 4 -> 49 patch tokens + CLS = 50 tokens, width 128, depth 4,
     4 heads, MLP ratio 2, learned position embeddings, pre-norm blocks, final LayerNorm) trained
     with a linear head on the CLS token on ALL train images of classes 0..7 (48k), AdamW with
     linear warm-up then cosine decay, random horizontal flips. Test accuracy is measured on the
     t10k images of classes 0..7. The head is dropped; the exported TorchScript returns the
     tokens after the final LayerNorm.
  3. Student: a smaller ViT (width 64, depth 2, 2 heads, same token grid), random init (seeded).
  4. Reference metrics for the trainer's evaluation (docs/evaluation.md) on the sample data: weighted
     kNN accuracy (k=200, T=0.1) on the CLS tokens, OOD AUROC / FPR@95%TPR (1-NN cosine score) for
     the teacher and the untrained student.

Both models are exported with torch.jit.script (not trace), float32, with every weight as a
trainable parameter (checked after torch.jit.load with a backward pass), so the student trains in
libtorch through DJL with trainParam=true.

Model input contract: float32 [B, 1, 28, 28], pixel values normalised as (x/255 - 0.2860)/0.3530.
Outputs: teacher [B, 50, 128], student [B, 50, 64]; token 0 is CLS.

Usage:
  python3 tools/make_samples.py --out examples            # everything (~5+ min of CPU)
  python3 tools/make_samples.py --out examples --skip-teacher   # data + student only
Debian's torch uses the reference BLAS, which is slow; tools/with-openblas.sh runs a command with
OpenBLAS instead (no system change), e.g. `tools/with-openblas.sh python3 tools/make_samples.py ...`.
"""
import argparse
import gzip
import hashlib
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

# TorchScript serialisation writes module constants in Python set order; a fixed hash seed makes
# the saved .pt files byte-reproducible (weights are reproducible either way).
if os.environ.get("PYTHONHASHSEED") != "0" and __name__ == "__main__":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

sys.dont_write_bytecode = True  # no __pycache__ in tools/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vit_model import ViT, Classifier, export_torchscript, check_trainable  # noqa: E402

MEAN = 0.2860
STD = 0.3530
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
ID_CLASSES = list(range(8))
OOD_CLASSES = [8, 9]

TEACHER = dict(image_size=28, patch=4, channels=1, width=128, depth=4, heads=4, mlp_ratio=2.0)
STUDENT = dict(image_size=28, patch=4, channels=1, width=64, depth=2, heads=2, mlp_ratio=2.0)


# ----------------------------------------------------------------------------------------------
# IDX files
# ----------------------------------------------------------------------------------------------
def read_idx(path: str) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: size mismatch")
    return arr.reshape(dims)


def write_idx(path: str, arr: np.ndarray) -> None:
    """uint8 IDX (magic 0x00000803 for images, 0x00000801 for labels), gzipped reproducibly
    (no file name, mtime 0) so reruns give byte-identical files."""
    arr = np.ascontiguousarray(arr, dtype=np.uint8)
    header = struct.pack(">HBB", 0, 0x08, arr.ndim) + struct.pack(">" + "I" * arr.ndim, *arr.shape)
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as f:
            f.write(header)
            f.write(arr.tobytes())


def balanced_subset(labels: np.ndarray, classes, per_class: int, rng: np.random.Generator):
    idx = []
    for c in classes:
        pool = np.flatnonzero(labels == c)
        idx.append(rng.choice(pool, size=per_class, replace=False))
    idx = np.concatenate(idx)
    return idx[rng.permutation(idx.size)]  # interleave classes


def blas_library() -> str:
    with open("/proc/self/maps") as f:
        libs = {os.path.basename(l.split()[-1]) for l in f if "blas" in l.lower() and ".so" in l}
    return ",".join(sorted(libs)) or "unknown"


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def make_data(src: str, out_dir: str, seed: int, per_class_train: int, per_class_val: int,
              per_class_ood: int):
    os.makedirs(out_dir, exist_ok=True)
    tr_x = read_idx(os.path.join(src, "train-images-idx3-ubyte.gz"))
    tr_y = read_idx(os.path.join(src, "train-labels-idx1-ubyte.gz"))
    te_x = read_idx(os.path.join(src, "t10k-images-idx3-ubyte.gz"))
    te_y = read_idx(os.path.join(src, "t10k-labels-idx1-ubyte.gz"))
    rng = np.random.default_rng(seed)
    splits = {
        "train": (tr_x, tr_y, balanced_subset(tr_y, ID_CLASSES, per_class_train, rng)),
        "val": (te_x, te_y, balanced_subset(te_y, ID_CLASSES, per_class_val, rng)),
        "ood": (te_x, te_y, balanced_subset(te_y, OOD_CLASSES, per_class_ood, rng)),
    }
    info = {}
    for name, (x, y, idx) in splits.items():
        xi, yi = x[idx], y[idx]
        ip = os.path.join(out_dir, f"{name}-images-idx3-ubyte.gz")
        lp = os.path.join(out_dir, f"{name}-labels-idx1-ubyte.gz")
        write_idx(ip, xi)
        write_idx(lp, yi)
        info[name] = dict(count=int(idx.size), classes=sorted(int(c) for c in np.unique(yi)),
                          images=os.path.basename(ip), labels=os.path.basename(lp),
                          images_sha256=sha256(ip), labels_sha256=sha256(lp),
                          bytes=os.path.getsize(ip) + os.path.getsize(lp))
        # round trip check
        assert np.array_equal(read_idx(ip), xi) and np.array_equal(read_idx(lp), yi)
    return info, (tr_x, tr_y, te_x, te_y), {k: v[2] for k, v in splits.items()}


def write_data_readme(out_dir: str, info: dict, seed: int) -> None:
    total = sum(v["bytes"] for v in info.values())
    lines = [
        "# Fashion-MNIST sample",
        "",
        "A small, class-balanced subset of Fashion-MNIST for the quickstart, the trainer's tests and",
        "the benchmark. Same file format as the originals: gzipped IDX, images `uint8 [N, 28, 28]`",
        "(magic 0x00000803), labels `uint8 [N]` (magic 0x00000801).",
        "",
        "- Source: Debian package `dataset-fashion-mnist` (`/usr/share/datasets/fashion-mnist/`),",
        "  Fashion-MNIST by Zalando Research, MIT licence.",
        "- In-distribution classes 0..7: " + ", ".join(f"{i} {CLASS_NAMES[i]}" for i in ID_CLASSES) + ".",
        "- Out-of-distribution (OOD) classes: 8 Bag, 9 Ankle boot.",
        "",
        "| files | images | classes | taken from |",
        "|---|---|---|---|",
        f"| `train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz` | {info['train']['count']} | 0-7, balanced | original train split |",
        f"| `val-images-idx3-ubyte.gz`, `val-labels-idx1-ubyte.gz` | {info['val']['count']} | 0-7, balanced | original t10k split |",
        f"| `ood-images-idx3-ubyte.gz`, `ood-labels-idx1-ubyte.gz` | {info['ood']['count']} | 8, 9, balanced | original t10k split |",
        "",
        f"Total size: {total / 1e6:.2f} MB. Labels keep their original class numbers (the OOD labels are",
        "8 and 9). Images within a file are in a seeded random order (classes interleaved).",
        "",
        f"Made by `python3 tools/make_samples.py --out examples` (seed {seed}): random class-balanced",
        "sampling without replacement, then written with gzip (no file name, mtime 0), so reruns give",
        "byte-identical files. SHA-256:",
        "",
    ]
    for v in info.values():
        lines.append(f"- `{v['images']}` `{v['images_sha256']}`")
        lines.append(f"- `{v['labels']}` `{v['labels_sha256']}`")
    with open(os.path.join(out_dir, "README.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


# ----------------------------------------------------------------------------------------------
# Teacher training and evaluation
# ----------------------------------------------------------------------------------------------
def to_input(x_uint8: np.ndarray) -> torch.Tensor:
    x = torch.from_numpy(np.array(x_uint8, dtype=np.float32)).div_(255.0)
    return x.sub_(MEAN).div_(STD).unsqueeze(1)  # [N, 1, 28, 28]


@torch.no_grad()
def embed(model, x: torch.Tensor, batch: int = 500) -> torch.Tensor:
    model.eval()
    return torch.cat([model(x[i:i + batch]) for i in range(0, x.shape[0], batch)])


@torch.no_grad()
def accuracy(clf, x: torch.Tensor, y: torch.Tensor, batch: int = 500) -> float:
    clf.eval()
    correct = 0
    for i in range(0, x.shape[0], batch):
        correct += (clf(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / x.shape[0]


def train_teacher(x: torch.Tensor, y: torch.Tensor, x_test: torch.Tensor, y_test: torch.Tensor,
                  epochs: int, batch: int, lr: float, wd: float, warmup_steps: int, seed: int):
    torch.manual_seed(seed)
    backbone = ViT(**TEACHER)
    clf = Classifier(backbone, TEACHER["width"], len(ID_CLASSES))
    decay = [p for n, p in clf.named_parameters() if p.ndim >= 2 and "pos_embed" not in n
             and "cls_token" not in n]
    no_decay = [p for n, p in clf.named_parameters() if not (p.ndim >= 2 and "pos_embed" not in n
                                                             and "cls_token" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": wd},
                             {"params": no_decay, "weight_decay": 0.0}], lr=lr)
    n = x.shape[0]
    steps_per_epoch = n // batch
    total = epochs * steps_per_epoch
    gen = torch.Generator().manual_seed(seed + 1)
    step = 0
    history = []
    t0 = time.time()
    for epoch in range(epochs):
        clf.train()
        perm = torch.randperm(n, generator=gen)
        run_loss, run_correct, seen = 0.0, 0, 0
        for b in range(steps_per_epoch):
            idx = perm[b * batch:(b + 1) * batch]
            xb, yb = x[idx], y[idx]
            flip = torch.rand(xb.shape[0], generator=gen) < 0.5
            xb = torch.where(flip[:, None, None, None], xb.flip(3), xb)
            if step < warmup_steps:
                cur = lr * (step + 1) / warmup_steps
            else:
                cur = 0.5 * lr * (1 + math.cos(math.pi * (step - warmup_steps) / max(1, total - warmup_steps)))
            for g in opt.param_groups:
                g["lr"] = cur
            logits = clf(xb)
            loss = F.cross_entropy(logits, yb, label_smoothing=0.1)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(clf.parameters(), 1.0)
            opt.step()
            step += 1
            run_loss += loss.item() * xb.shape[0]
            run_correct += (logits.argmax(1) == yb).sum().item()
            seen += xb.shape[0]
            if b % 50 == 0 or b == steps_per_epoch - 1:
                el = time.time() - t0
                print(f"epoch {epoch + 1}/{epochs} step {b + 1}/{steps_per_epoch} lr {cur:.2e} "
                      f"loss {run_loss / seen:.4f} train-acc {run_correct / seen:.4f} "
                      f"{el:.0f}s ({step * batch / el:.0f} img/s)", flush=True)
        acc = accuracy(clf, x_test, y_test)
        history.append(round(acc, 4))
        print(f"epoch {epoch + 1}: test accuracy (t10k classes 0-7) {acc:.4f}", flush=True)
    return clf, acc, time.time() - t0, step, history


# ----------------------------------------------------------------------------------------------
# Reference evaluation metrics (docs/evaluation.md)
# ----------------------------------------------------------------------------------------------
def knn_accuracy(train_emb, train_y, query_emb, query_y, k=200, temperature=0.1, classes=10):
    tr = F.normalize(train_emb, dim=1)
    q = F.normalize(query_emb, dim=1)
    sims = q @ tr.t()
    top, idx = sims.topk(min(k, tr.shape[0]), dim=1)
    w = (top / temperature).exp()
    votes = torch.zeros(q.shape[0], classes).scatter_add_(1, train_y[idx], w)
    pred = votes.argmax(1)
    return (pred == query_y).float().mean().item(), pred


def auroc_fpr95(pos: np.ndarray, neg: np.ndarray):
    """AUROC with `pos` (in-distribution) as the positive class; FPR at 95% TPR."""
    scores = np.concatenate([pos, neg])
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(scores.size)
    # average ranks for ties
    s_sorted = scores[order]
    i = 0
    while i < s_sorted.size:
        j = i
        while j + 1 < s_sorted.size and s_sorted[j + 1] == s_sorted[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    auroc = (ranks[:pos.size].sum() - pos.size * (pos.size + 1) / 2.0) / (pos.size * neg.size)
    thr = np.quantile(pos, 0.05, method="lower")  # 95% of positives score >= thr
    fpr = float((neg >= thr).mean())
    return float(auroc), fpr


def reference_metrics(model, subsets):
    (trX, trY), (vaX, vaY), (ooX,) = subsets
    e_tr = embed(model, to_input(trX))[:, 0]
    e_va = embed(model, to_input(vaX))[:, 0]
    e_oo = embed(model, to_input(ooX))[:, 0]
    acc, pred = knn_accuracy(e_tr, torch.from_numpy(trY.astype(np.int64)), e_va,
                             torch.from_numpy(vaY.astype(np.int64)))
    trn = F.normalize(e_tr, dim=1)
    s_id = (F.normalize(e_va, dim=1) @ trn.t()).max(1).values.numpy()
    s_ood = (F.normalize(e_oo, dim=1) @ trn.t()).max(1).values.numpy()
    auroc, fpr = auroc_fpr95(s_id, s_ood)
    return dict(knn_top1=round(acc, 4), ood_auroc=round(auroc, 4), ood_fpr_at_95_tpr=round(fpr, 4)), pred


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="examples", help="examples directory (data/ and models/ below it)")
    ap.add_argument("--source", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--seed", type=int, default=20240917)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=4,
                    help="teacher epochs over the 48k train images (one epoch is about 6 min of a "
                         "2-vCPU machine with OpenBLAS; 2 epochs reach ~83%%, 4 epochs more)")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=0.05)
    ap.add_argument("--warmup-steps", type=int, default=200)
    ap.add_argument("--skip-teacher", action="store_true", help="only data and student")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    data_dir = os.path.join(args.out, "data", "fashion-mnist-sample")
    model_dir = os.path.join(args.out, "models")
    os.makedirs(model_dir, exist_ok=True)

    info, (tr_x, tr_y, te_x, te_y), picked = make_data(args.source, data_dir, args.seed, 500, 125, 250)
    write_data_readme(data_dir, info, args.seed)
    print("data:", json.dumps({k: (v["count"], v["bytes"]) for k, v in info.items()}), flush=True)
    subsets = ((tr_x[picked["train"]], tr_y[picked["train"]]),
               (te_x[picked["val"]], te_y[picked["val"]]),
               (te_x[picked["ood"]],))

    example = to_input(te_x[:4])

    # Student: random init, seeded.
    torch.manual_seed(args.seed + 7)
    student = ViT(**STUDENT)
    student_path = os.path.join(model_dir, "student-vit-tiny.pt")
    export_torchscript(student, student_path, example, train_mode=True)
    n_student = sum(p.numel() for p in student.parameters())
    student_metrics, _ = reference_metrics(student, subsets)
    print("student:", student_path, n_student, "params", student_metrics, flush=True)

    facts_path = os.path.join(model_dir, "models.json")
    facts = {}
    if os.path.exists(facts_path):
        with open(facts_path) as f:
            facts = json.load(f)

    if not args.skip_teacher:
        id_train = np.isin(tr_y, ID_CLASSES)
        id_test = np.isin(te_y, ID_CLASSES)
        x = to_input(tr_x[id_train])
        y = torch.from_numpy(tr_y[id_train].astype(np.int64))
        xt = to_input(te_x[id_test])
        yt = torch.from_numpy(te_y[id_test].astype(np.int64))
        print(f"teacher: training on {x.shape[0]} images, testing on {xt.shape[0]}", flush=True)
        clf, test_acc, seconds, steps, history = train_teacher(
            x, y, xt, yt, args.epochs, args.batch, args.lr, args.weight_decay, args.warmup_steps,
            args.seed)
        teacher = clf.backbone
        teacher.eval()
        val_x = to_input(subsets[1][0])
        val_acc = accuracy(clf, val_x, torch.from_numpy(subsets[1][1].astype(np.int64)))
        teacher_path = os.path.join(model_dir, "teacher-vit-fmnist.pt")
        export_torchscript(teacher, teacher_path, example, train_mode=False)
        teacher_metrics, _ = reference_metrics(teacher, subsets)
        print("teacher:", teacher_path, f"test acc {test_acc:.4f}", teacher_metrics, flush=True)
        facts["teacher"] = {
            "file": "teacher-vit-fmnist.pt",
            "architecture": dict(TEACHER, tokens=50, cls_token_index=0, position_embeddings="learned",
                                 blocks="pre-norm", final_layernorm=True),
            "parameters": sum(p.numel() for p in teacher.parameters()),
            "output_shape": ["B", 50, TEACHER["width"]],
            "bytes": os.path.getsize(teacher_path),
            "sha256": sha256(teacher_path),
            "training": {
                "data": "Fashion-MNIST original train split, classes 0-7 (48000 images)",
                "epochs": args.epochs, "steps": steps, "batch": args.batch, "optimizer": "AdamW",
                "lr": args.lr, "weight_decay": args.weight_decay, "warmup_steps": args.warmup_steps,
                "schedule": "linear warm-up then cosine decay", "label_smoothing": 0.1,
                "augmentation": "random horizontal flip", "seed": args.seed,
                "threads": args.threads, "seconds": round(seconds, 1),
                "torch": torch.__version__,
                "blas": blas_library(),
                "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(unset)"),
                "test_accuracy_per_epoch": history,
            },
            "test_accuracy": round(test_acc, 4),
            "test_accuracy_data": "Fashion-MNIST t10k split, classes 0-7 (8000 images), linear head on CLS",
            "sample_val_accuracy": round(val_acc, 4),
            "reference_metrics": teacher_metrics,
        }

    facts.update({
        "input": {
            "shape": ["B", 1, 28, 28], "dtype": "float32", "channels": 1, "image_size": 28,
            "normalisation": "(x / 255 - mean) / std", "mean": [MEAN], "std": [STD],
        },
        "tokens": 50,
        "patch": 4,
        "cls_token_index": 0,
        "student": {
            "file": "student-vit-tiny.pt",
            "architecture": dict(STUDENT, tokens=50, cls_token_index=0, position_embeddings="learned",
                                 blocks="pre-norm", final_layernorm=True),
            "parameters": n_student,
            "output_shape": ["B", 50, STUDENT["width"]],
            "init": f"random, torch.manual_seed({args.seed + 7})",
            "trainable": True,
            "bytes": os.path.getsize(student_path),
            "sha256": sha256(student_path),
            "reference_metrics": student_metrics,
        },
        "reference_metrics_definition": (
            "on examples/data/fashion-mnist-sample: CLS token embeddings; weighted kNN (k=200, "
            "T=0.1, L2-normalised, weights exp(sim/T)) of val against train; OOD score = max cosine "
            "similarity to train (1-NN), AUROC with val as positive and ood as negative, FPR at "
            "95% TPR"),
        "export": "torch.jit.script, float32, parameters trainable (requires_grad)",
        "made_by": "python3 tools/make_samples.py --out examples",
        "seed": args.seed,
    })
    with open(facts_path, "w") as f:
        json.dump(facts, f, indent=2)
        f.write("\n")
    write_models_readme(model_dir, facts)
    print("done", flush=True)


def write_models_readme(model_dir: str, facts: dict) -> None:
    t = facts.get("teacher")
    s = facts["student"]
    lines = [
        "# Sample models",
        "",
        "TorchScript files made by `tools/make_samples.py` with Debian's PyTorch "
        f"({(t or {}).get('training', {}).get('torch', torch.__version__)}); they load in "
        "libtorch 2.7 through DJL. Facts in machine-readable form: `models.json`.",
        "",
        "| file | what | parameters | output |",
        "|---|---|---|---|",
    ]
    if t:
        lines.append(f"| `teacher-vit-fmnist.pt` | frozen teacher: ViT width 128, depth 4, 4 heads, "
                     f"trained on Fashion-MNIST classes 0-7 | {t['parameters']:,} | `[B, 50, 128]` |")
    lines.append(f"| `student-vit-tiny.pt` | student: ViT width 64, depth 2, 2 heads, random init "
                 f"(seeded), trainable | {s['parameters']:,} | `[B, 50, 64]` |")
    lines += [
        "",
        "## Input contract (both models)",
        "",
        "- `float32 [B, 1, 28, 28]` (grayscale, one channel, 28x28 pixels), any batch size B.",
        "- Normalisation: `(x / 255 - 0.2860) / 0.3530` with x the uint8 pixel value (mean 0.2860,",
        "  std 0.3530 over the Fashion-MNIST train split).",
        "",
        "## Output contract",
        "",
        "- All tokens after the model's final LayerNorm: `[B, T, D]` with T = 50 = 1 CLS + 7x7",
        "  patch tokens (patch 4), token 0 = CLS, then patches in row-major order.",
        "- D = 128 for the teacher, 64 for the student. Same token grid, so CosPress's local term",
        "  applies directly (compression head LayerNorm(128) then Linear(128 -> 64)).",
        "",
        "## Architecture",
        "",
        "Conv2d patch embedding (kernel = stride = 4), learned CLS token and learned position",
        "embeddings, pre-norm transformer blocks (`x + Attn(LN(x))`, `x + MLP(LN(x))`, MLP ratio 2,",
        "GELU), final LayerNorm (eps 1e-6). No dropout or batch norm: train and eval mode compute the",
        "same function. Exported with `torch.jit.script` in float32; every weight is a parameter with",
        "`requires_grad`, so the student trains when loaded with DJL's `trainParam=true` (checked",
        "after `torch.jit.load`: parameters listed, backward reaches all of them).",
        "",
    ]
    if t:
        tr = t["training"]
        rm = t["reference_metrics"]
        lines += [
            "## Teacher training and accuracy",
            "",
            f"Trained with a linear classification head on the CLS token (dropped before export) on the",
            f"48,000 Fashion-MNIST train images of classes 0-7: {tr['epochs']} epochs, batch {tr['batch']},",
            f"AdamW (lr {tr['lr']}, weight decay {tr['weight_decay']}), {tr['warmup_steps']} warm-up steps then",
            f"cosine decay, label smoothing 0.1, random horizontal flips, seed {tr['seed']}, "
            f"{tr['threads']} CPU threads, {tr['seconds'] / 60:.1f} min wall time on a shared 2-vCPU machine",
            "(about 6 min per epoch when the machine is otherwise idle). Test accuracy after each epoch: "
            + ", ".join(f"{a * 100:.2f}%" for a in tr["test_accuracy_per_epoch"]) + ".",
            "",
            f"- Test accuracy (t10k split, classes 0-7, 8000 images): **{t['test_accuracy'] * 100:.2f}%**",
            f"- Accuracy on the sample val split (1000 images): {t['sample_val_accuracy'] * 100:.2f}%",
            "",
        ]
        srm = s["reference_metrics"]
        lines += [
            "## Reference metrics on the sample data",
            "",
            "CLS-token metrics as the trainer reports them ([docs/evaluation.md](../../docs/evaluation.md)),"
            " train split as the kNN",
            "bank, val as queries, ood as out-of-distribution: weighted kNN (k=200, T=0.1); OOD score",
            "= max cosine similarity to train embeddings.",
            "",
            "| model | kNN top-1 | OOD AUROC | FPR@95%TPR |",
            "|---|---|---|---|",
            f"| teacher | {rm['knn_top1'] * 100:.2f}% | {rm['ood_auroc']:.4f} | {rm['ood_fpr_at_95_tpr']:.4f} |",
            f"| student (untrained) | {srm['knn_top1'] * 100:.2f}% | {srm['ood_auroc']:.4f} | {srm['ood_fpr_at_95_tpr']:.4f} |",
            "",
        ]
    lines += [
        "## How they were made",
        "",
        "```",
        "tools/with-openblas.sh python3 tools/make_samples.py --out examples",
        "```",
        "",
        "(`tools/with-openblas.sh` only swaps Debian's slow reference BLAS for OpenBLAS in that",
        "process; plain `python3 tools/make_samples.py --out examples` gives the same kind of models,",
        "slower.) The script is seeded; results are reproducible for the same PyTorch build, BLAS and",
        "thread count.",
        "",
    ]
    with open(os.path.join(model_dir, "README.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
