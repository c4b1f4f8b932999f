#!/usr/bin/env python3
"""PyTorch reference for the CosPress training-step benchmark, and a checker for the loss fixtures.

Why: the Java trainer (DJL on libtorch) is compared against plain PyTorch doing exactly the same
work per step, and its loss is checked against the same definition. This script is that reference.

Benchmark mode (default): loads the teacher and student TorchScript files with torch.jit.load,
builds the compression head h = Linear(Dt -> Ds) o LayerNorm(Dt, eps 1e-5), and AdamW (lr 5e-4,
weight decay 0.05) over the student's and the head's parameters, then times K steps (after W
warm-up steps) of:
  teacher forward under torch.no_grad() on a random batch [B, C, S, S] -> t [B, T, Dt]
  head forward c = h(t); student forward s [B, T, Ds]
  CosPress loss (docs/objective.md, all lambdas 1): local + global + feature + token
  backward, optimizer step
and prints one JSON line:
  {"images_per_second", "step_seconds_mean", "steps", "batch", "threads", "torch", ...}
The loss is vectorised: the local term handles all B images (and all temperatures) as batched
[K, B, T, T] matrices, no per-image loop.

Fixture mode (--check-fixtures DIR): for each DIR/NAME.npz computes the four terms and the
gradients of the total (float32, as in training, and float64) and prints them next to
NAME.expected.json / NAME.expected.npz; exits 1 unless all agree within relative 1e-4
(absolute 1e-6 near zero).

GPU mode (--device cuda): models, head, batch and loss on the GPU; each timed step ends with
torch.cuda.synchronize(). --autocast-bf16 runs the forward passes and the loss under
torch.autocast(dtype=torch.bfloat16) (backward and AdamW outside it, float32 master weights), as
a PyTorch user would write mixed precision; --tf32 allows TF32 matrix products
(torch.backends.cuda.matmul.allow_tf32). Both also work with --device cpu (autocast on the CPU),
which the GPU check's CPU mode uses. hack/gpu-check.sh runs this beside the Java step.

With --profile FILE it also profiles one more step with torch.profiler (Chrome trace; each phase
a record_function range "phase:<name>", for tools/profile_summary.py).

hack/benchmark.sh runs it with PyPI's torch in virtual environments (hack/torch-venv.sh): the
libtorch version DJL runs and the newest. Examples:
  PY=$(hack/torch-venv.sh 2.7.1 | tail -n1)
  $PY tools/bench_pytorch_step.py --teacher examples/models/teacher-vit-fmnist.pt \\
      --student examples/models/student-vit-tiny.pt --batch 64 --image-size 28 --channels 1 --threads 2
  $PY tools/bench_pytorch_step.py --check-fixtures trainer/src/test/resources/fixtures/cospress-loss
"""
import argparse
import glob
import json
import os
import statistics
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F

MASK = 1e8  # subtracted on the diagonal of each cosine matrix (masked self-similarity)


# ----------------------------------------------------------------------------------------------
# CosPress loss (docs/objective.md)
# ----------------------------------------------------------------------------------------------
def masked_cosine(x: torch.Tensor) -> torch.Tensor:
    """x [..., n, d] -> D [..., n, n] with D_ij = cos(x_i, x_j) - 1e8 [i = j]."""
    xn = F.normalize(x, dim=-1, eps=1e-12)
    d = torch.matmul(xn, xn.transpose(-1, -2))
    n = x.shape[-2]
    return d - MASK * torch.eye(n, dtype=x.dtype, device=x.device)


def joint_log_probs(d: torch.Tensor, temperatures: torch.Tensor) -> torch.Tensor:
    """D [..., n, n], temperatures [K] -> P [K, ..., n, n]:
    L = log_softmax(D / tau) over j; J = log(exp(L) + exp(L^T)); P = J - logsumexp_ij(J)."""
    tau = temperatures.to(d.dtype).view((-1,) + (1,) * d.dim())
    logits = d.unsqueeze(0) / tau
    lg = torch.log_softmax(logits, dim=-1)
    j = torch.logaddexp(lg, lg.transpose(-1, -2))
    norm = torch.logsumexp(j.flatten(-2), dim=-1)
    return j - norm[..., None, None]


def sne(x_t: torch.Tensor, x_c: torch.Tensor, temperatures: torch.Tensor) -> torch.Tensor:
    """KL(P_t || P_c) averaged over temperatures, for sets of n vectors: x_t [..., n, Dt],
    x_c [..., n, Ds] -> [...] (one value per set)."""
    p_t = joint_log_probs(masked_cosine(x_t), temperatures)
    p_c = joint_log_probs(masked_cosine(x_c), temperatures)
    kl = (p_t.exp() * (p_t - p_c)).sum(dim=(-1, -2))  # [K, ...]
    return kl.mean(dim=0)


def cospress_terms(t: torch.Tensor, c: torch.Tensor, s: torch.Tensor, temperatures: torch.Tensor):
    """t [B, T, Dt] teacher tokens (no grad), c = h(t) [B, T, Ds], s [B, T, Ds] student tokens."""
    local = sne(t, c, temperatures).mean()                           # per image over its T tokens
    glob_ = sne(t[:, 0].unsqueeze(0), c[:, 0].unsqueeze(0), temperatures).squeeze(0)  # CLS of batch
    cd = c.detach()
    feature = (1.0 - F.cosine_similarity(s.flatten(1), cd.flatten(1), dim=1, eps=1e-8)).mean()
    token = (1.0 - F.cosine_similarity(s[:, 0], cd[:, 0], dim=1, eps=1e-8)).mean()
    return {"local": local, "global": glob_, "feature": feature, "token": token}


def make_head(dt: int, ds: int) -> nn.Module:
    return nn.Sequential(nn.LayerNorm(dt, eps=1e-5), nn.Linear(dt, ds))


# ----------------------------------------------------------------------------------------------
# Fixture check
# ----------------------------------------------------------------------------------------------
def close(got: float, want: float, rel: float = 1e-4, abs_: float = 1e-6) -> bool:
    return abs(got - want) <= max(rel * abs(want), abs_)


def max_rel_err(got: torch.Tensor, want: torch.Tensor, abs_: float = 1e-6) -> float:
    """Largest |got - want| / max(|want|, abs_/1e-4) over elements (so near-zero entries are held
    to the absolute bar)."""
    denom = torch.clamp(want.abs(), min=abs_ / 1e-4)
    return float(((got - want).abs() / denom).max())


def check_fixtures(directory: str) -> int:
    import numpy as np
    cases = sorted(p for p in glob.glob(os.path.join(directory, "*.npz"))
                   if not p.endswith(".expected.npz"))
    if not cases:
        print(f"no NAME.npz fixtures in {directory}", file=sys.stderr)
        return 2
    ok_all = True
    for path in cases:
        name = os.path.basename(path)[:-4]
        inp = np.load(path)
        with open(os.path.join(directory, name + ".expected.json")) as f:
            want = json.load(f)
        want_grad = np.load(os.path.join(directory, name + ".expected.npz"))
        print(f"== {name}: teacher {inp['teacher'].shape} student {inp['student'].shape} "
              f"temperatures {len(inp['temperatures'])}")
        for dtype in (torch.float32, torch.float64):
            t = torch.from_numpy(inp["teacher"]).to(dtype)
            s = torch.from_numpy(inp["student"]).to(dtype).requires_grad_(True)
            head = make_head(t.shape[-1], s.shape[-1]).to(dtype)
            with torch.no_grad():
                head[0].weight.copy_(torch.from_numpy(inp["ln_weight"]))
                head[0].bias.copy_(torch.from_numpy(inp["ln_bias"]))
                head[1].weight.copy_(torch.from_numpy(inp["linear_weight"]))
                head[1].bias.copy_(torch.from_numpy(inp["linear_bias"]))
            temps = torch.from_numpy(inp["temperatures"]).to(dtype)
            terms = cospress_terms(t, head(t), s, temps)
            total = sum(terms.values())
            total.backward()
            tag = str(dtype).replace("torch.", "")
            for k in ("local", "global", "feature", "token"):
                got = float(terms[k])
                good = close(got, want[k])
                ok_all &= good
                print(f"  {tag:7s} {k:8s} got {got:.9f} expected {want[k]:.9f} "
                      f"rel.err {abs(got - want[k]) / abs(want[k]):.2e} {'OK' if good else 'FAIL'}")
            good = close(float(total), want["total"])
            ok_all &= good
            print(f"  {tag:7s} {'total':8s} got {float(total):.9f} expected {want['total']:.9f} "
                  f"{'OK' if good else 'FAIL'}")
            grads = {"grad_student": s.grad, "grad_ln_weight": head[0].weight.grad,
                     "grad_ln_bias": head[0].bias.grad, "grad_linear_weight": head[1].weight.grad,
                     "grad_linear_bias": head[1].bias.grad}
            for k, g in grads.items():
                w = torch.from_numpy(want_grad[k]).double()
                err = max_rel_err(g.double(), w)
                norm_err = float((g.double() - w).norm() / w.norm().clamp_min(1e-30))
                good = err <= 1e-4
                ok_all &= good
                print(f"  {tag:7s} {k:18s} max elementwise rel.err {err:.2e} "
                      f"(norm rel.err {norm_err:.2e}) {'OK' if good else 'FAIL'}")
    print("fixtures:", "all agree within 1e-4 relative" if ok_all else "MISMATCH")
    return 0 if ok_all else 1


# ----------------------------------------------------------------------------------------------
# Benchmark
# ----------------------------------------------------------------------------------------------
def blas_library() -> str:
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and ".so" in line}
        return ",".join(sorted(os.path.basename(p) + "@" + os.path.dirname(p) for p in libs)) or "unknown"
    except OSError:
        return "unknown"


def profile_step(step, shape, phase_names, trace_path: str) -> None:
    """Runs one more step under torch.profiler and writes a Chrome trace, each phase wrapped in a
    record_function range named "phase:<name>" (tools/profile_summary.py splits by them)."""
    from torch.profiler import ProfilerActivity, profile, record_function
    ranges = []
    x = torch.randn(shape)

    def clock(name):
        ranges[-1].__exit__(None, None, None)
        if name != phase_names[-1]:
            ranges.append(record_function("phase:" + phase_names[phase_names.index(name) + 1]))
            ranges[-1].__enter__()

    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        ranges.append(record_function("phase:" + phase_names[0]))
        ranges[-1].__enter__()
        step(x, clock)
    os.makedirs(os.path.dirname(os.path.abspath(trace_path)), exist_ok=True)
    prof.export_chrome_trace(trace_path)


def bench(args) -> None:
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    if args.tf32:
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    temps = torch.tensor([float(v) for v in args.temperatures.split(",")], dtype=torch.float32,
                         device=device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    if args.autocast_bf16:
        def mixed():
            return torch.autocast(device.type, dtype=torch.bfloat16)
    else:
        import contextlib

        def mixed():
            return contextlib.nullcontext()

    teacher = torch.jit.load(args.teacher, map_location=device)
    teacher.eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    student = torch.jit.load(args.student, map_location=device)
    student.train()
    student_params = [p for p in student.parameters() if p.requires_grad]
    if not student_params:
        raise SystemExit(f"{args.student}: no trainable parameters after torch.jit.load")

    shape = (args.batch, args.channels, args.image_size, args.image_size)
    probes = []
    for name, model in (("teacher", teacher), ("student", student)):
        try:
            with torch.no_grad():
                probes.append(model(torch.randn(2, *shape[1:], device=device)))
        except RuntimeError as e:
            first = str(e).strip().splitlines()[-1]
            raise SystemExit(f"{name} does not accept input [B, {args.channels}, {args.image_size}, "
                             f"{args.image_size}] (check --channels/--image-size): {first}")
    probe_t, probe_s = probes
    if probe_t.dim() != 3 or probe_s.dim() != 3:
        raise SystemExit(f"expected token outputs [B, T, D], got teacher {tuple(probe_t.shape)}, "
                         f"student {tuple(probe_s.shape)}")
    if probe_t.shape[1] != probe_s.shape[1]:
        raise SystemExit(f"token grid mismatch: teacher gives {probe_t.shape[1]} tokens, student "
                         f"{probe_s.shape[1]}")
    tokens, dt, ds = probe_t.shape[1], probe_t.shape[2], probe_s.shape[2]

    head = make_head(dt, ds).to(device)
    head.train()
    opt = torch.optim.AdamW(student_params + list(head.parameters()), lr=5e-4, weight_decay=0.05)

    phase_names = ("teacher", "forward", "loss", "backward", "optimizer")
    phase_totals = dict.fromkeys(phase_names, 0.0)

    def step(x, clock):
        """One CosPress step on images x; clock(name) is called as each phase ends (the phases of
        the Java StepPhase)."""
        with torch.no_grad(), mixed():
            t = teacher(x)
        clock("teacher")
        with mixed():
            c = head(t)
            s = student(x)
        clock("forward")
        with mixed():
            terms = cospress_terms(t, c, s, temps)
            total = terms["local"] + terms["global"] + terms["feature"] + terms["token"]
        clock("loss")
        opt.zero_grad(set_to_none=True)
        total.backward()
        clock("backward")
        opt.step()
        sync()  # a GPU step is timed to its end
        clock("optimizer")
        return terms, total

    times, last = [], {}
    for i in range(args.warmup + args.steps):
        x = torch.randn(shape, device=device)  # not timed: the Java side reuses one host batch
        sync()
        marks = [time.perf_counter()]
        phase_times = {}

        def clock(name):
            marks.append(time.perf_counter())
            phase_times[name] = marks[-1] - marks[-2]

        terms, total = step(x, clock)
        elapsed = marks[-1] - marks[0]
        if i >= args.warmup:
            times.append(elapsed)
            for name, seconds in phase_times.items():
                phase_totals[name] += seconds
        last = {k: round(float(v), 6) for k, v in terms.items()}
        if args.verbose:
            print(f"step {i} {elapsed:.4f}s total {float(total):.5f} {last}", file=sys.stderr)

    if args.profile:
        profile_step(step, shape, phase_names, args.profile)

    mean = statistics.fmean(times)
    print(json.dumps({
        "images_per_second": round(args.batch / mean, 3),
        "step_seconds_mean": round(mean, 6),
        "steps": args.steps,
        "batch": args.batch,
        "threads": args.threads,
        "torch": torch.__version__,
        "device": str(device),
        "autocast_bf16": args.autocast_bf16,
        "tf32": args.tf32,
        "final_loss": round(float(total), 6),
        "step_seconds_median": round(statistics.median(times), 6),
        "step_seconds_min": round(min(times), 6),
        "warmup": args.warmup,
        "image_size": args.image_size,
        "channels": args.channels,
        "tokens": tokens,
        "teacher_dim": dt,
        "student_dim": ds,
        "temperatures": len(temps),
        "last_terms": last,
        "blas": blas_library(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(unset)"),
        "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS", "(unset)"),
        "loadavg_1m_after": round(os.getloadavg()[0], 2),
        "phase_ms": {k: round(v / args.steps * 1e3, 3) for k, v in phase_totals.items()},
    }))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teacher")
    ap.add_argument("--student")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--image-size", type=int, default=28)
    ap.add_argument("--channels", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--temperatures", default=",".join(f"{i / 100:.2f}" for i in range(1, 11)))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--autocast-bf16", action="store_true",
                    help="forward passes and loss under torch.autocast(dtype=bfloat16)")
    ap.add_argument("--tf32", action="store_true", help="allow TF32 matrix products (CUDA)")
    ap.add_argument("--verbose", action="store_true", help="per-step times on stderr")
    ap.add_argument("--profile", metavar="FILE",
                    help="after the timed steps, profile one step with torch.profiler and write "
                         "a Chrome trace to FILE")
    ap.add_argument("--check-fixtures", metavar="DIR",
                    help="check the loss against DIR/NAME.npz fixtures instead of benchmarking")
    args = ap.parse_args()
    if args.check_fixtures:
        sys.exit(check_fixtures(args.check_fixtures))
    if not args.teacher or not args.student:
        ap.error("--teacher and --student are required (or --check-fixtures DIR)")
    if args.steps < 1 or args.warmup < 0 or args.batch < 2:
        ap.error("need --steps >= 1, --warmup >= 0, --batch >= 2")
    bench(args)


if __name__ == "__main__":
    main()
