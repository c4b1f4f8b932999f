#!/usr/bin/env python3
"""Reference values of the CosPress objective, in float64, for the trainer's loss fixtures.

Why: the trainer computes the objective in float32 on libtorch through DJL; a second, plain
implementation that follows docs/objective.md line by line, in float64 and with PyTorch's autograd
for the gradients, is what it is checked against (CosPressLossFixtureTest). This script is written
from the definition in docs/objective.md alone, one set at a time and without batching tricks, so
that it stays easy to read against the formulas.

What it writes, per case NAME (the layout is described in the fixtures' README.md):
  NAME.npz            inputs, float32: teacher [B,T,Dt], student [B,T,Ds], ln_weight, ln_bias [Dt],
                      linear_weight [Ds,Dt], linear_bias [Ds], temperatures [K]
  NAME.expected.json  the four terms and the total (all weights 1), float64
  NAME.expected.npz   gradients of the total, float32: grad_student, grad_ln_weight, grad_ln_bias,
                      grad_linear_weight, grad_linear_bias
Inputs come from numpy's legacy RandomState, whose streams numpy keeps stable across versions, so
the same seed gives bit-identical inputs on every machine; the expected values are computed in
float64 from the float32 inputs.

Usage (Debian's python3-torch and python3-numpy):
  /usr/bin/python3 tools/cospress_loss_reference.py generate DIR   # write every case into DIR
  /usr/bin/python3 tools/cospress_loss_reference.py check DIR      # regenerate, compare with DIR
  /usr/bin/python3 tools/cospress_loss_reference.py expected IN.npz [OUT_PREFIX]
                                                   # terms (and gradients) for any input file
`check` exits 1 when a committed file differs from what this script produces now: inputs must be
bit-identical, terms agree to 1e-9 relative, gradients to 1e-6 relative (they are stored as
float32, and float64 sums may round differently on another CPU).
"""
import json
import math
import os
import sys
import tempfile

import numpy as np
import torch

LAYER_NORM_EPS = 1e-5
SELF_MASK = 1e8
TEMPERATURES = [0.01 * k for k in range(1, 11)]

# name -> (seed, B images, T tokens, teacher width Dt, student width Ds, teacher token scale)
CASES = {
    "small": (20240601, 4, 5, 16, 8, 1.5),
    "vit-like": (20240602, 6, 17, 48, 24, 1.3),
}

INPUT_NAMES = [
    "teacher",
    "student",
    "ln_weight",
    "ln_bias",
    "linear_weight",
    "linear_bias",
    "temperatures",
]
GRADIENT_NAMES = [
    "grad_student",
    "grad_ln_weight",
    "grad_ln_bias",
    "grad_linear_weight",
    "grad_linear_bias",
]
TERMS = ["local", "global", "feature", "token", "total"]


# ------------------------------------------------------------------------------------------------
# The objective (docs/objective.md), for one set of vectors at a time
# ------------------------------------------------------------------------------------------------
def compress(tokens, ln_weight, ln_bias, linear_weight, linear_bias):
    """h(t) = Linear(LayerNorm(t)): LayerNorm over the last axis (biased variance, eps 1e-5,
    affine), then y = x W^T + b."""
    mean = tokens.mean(dim=-1, keepdim=True)
    variance = ((tokens - mean) ** 2).mean(dim=-1, keepdim=True)
    normalised = (tokens - mean) / torch.sqrt(variance + LAYER_NORM_EPS)
    return (normalised * ln_weight + ln_bias) @ linear_weight.T + linear_bias


def cosine(a, b):
    """cos(a, b) of two vectors."""
    return (a * b).sum() / (torch.sqrt((a * a).sum()) * torch.sqrt((b * b).sum()))


def self_masked_cosines(vectors):
    """D_ij = cos(x_i, x_j) - 1e8 [i = j] for the n rows of vectors [n, d]."""
    unit = vectors / torch.sqrt((vectors * vectors).sum(dim=1, keepdim=True))
    n = vectors.shape[0]
    return unit @ unit.T - SELF_MASK * torch.eye(n, dtype=vectors.dtype)


def joint_log_probabilities(vectors, tau):
    """P of one set at temperature tau: L = log_softmax(D / tau) along j, J = log(e^L + e^L^T),
    P = J - log sum_ij e^J."""
    scaled = self_masked_cosines(vectors) / tau
    rows = scaled - torch.logsumexp(scaled, dim=1, keepdim=True)
    joint = torch.logaddexp(rows, rows.T)
    return joint - torch.logsumexp(joint.reshape(-1), dim=0)


def sne(teacher_set, compressed_set, temperatures):
    """mean over tau of KL(P_teacher || P_compressed) = sum_ij e^Pt (Pt - Pc)."""
    total = 0.0
    for tau in temperatures:
        p_t = joint_log_probabilities(teacher_set, tau)
        p_c = joint_log_probabilities(compressed_set, tau)
        total = total + (torch.exp(p_t) * (p_t - p_c)).sum()
    return total / len(temperatures)


def cospress_terms(teacher, student, compressed, temperatures):
    """The four terms for tokens teacher [B,T,Dt], student [B,T,Ds] and compressed h(teacher)."""
    images = teacher.shape[0]
    local = sum(sne(teacher[b], compressed[b], temperatures) for b in range(images)) / images
    global_ = sne(teacher[:, 0], compressed[:, 0], temperatures)
    target = compressed.detach()  # stop-gradient: feature and token terms train only the student
    feature = (
        sum(1 - cosine(student[b].reshape(-1), target[b].reshape(-1)) for b in range(images))
        / images
    )
    token = sum(1 - cosine(student[b, 0], target[b, 0]) for b in range(images)) / images
    return {
        "local": local,
        "global": global_,
        "feature": feature,
        "token": token,
        "total": local + global_ + feature + token,
    }


def expected_values(inputs):
    """Terms (floats) and gradients of the total (float32 arrays) for a dict of input arrays."""
    as64 = {k: torch.tensor(np.asarray(v, dtype=np.float64)) for k, v in inputs.items()}
    trainable = ["student", "ln_weight", "ln_bias", "linear_weight", "linear_bias"]
    for name in trainable:
        as64[name].requires_grad_(True)
    compressed = compress(
        as64["teacher"],
        as64["ln_weight"],
        as64["ln_bias"],
        as64["linear_weight"],
        as64["linear_bias"],
    )
    temperatures = [float(t) for t in as64["temperatures"]]
    terms = cospress_terms(as64["teacher"], as64["student"], compressed, temperatures)
    terms["total"].backward()
    values = {name: float(terms[name]) for name in TERMS}
    gradients = {
        "grad_" + name: as64[name].grad.numpy().astype(np.float32) for name in trainable
    }
    return values, gradients


# ------------------------------------------------------------------------------------------------
# Inputs
# ------------------------------------------------------------------------------------------------
def make_inputs(seed, images, tokens, teacher_width, student_width, teacher_scale):
    """Teacher tokens with a shared direction per image (so cosines spread over a useful range,
    as in a real ViT), a random student, and a head near its initialisation."""
    rng = np.random.RandomState(seed)
    per_image = rng.standard_normal((images, 1, teacher_width))
    teacher = teacher_scale * (per_image + rng.standard_normal((images, tokens, teacher_width)))
    student = rng.standard_normal((images, tokens, student_width))
    ln_weight = 1.0 + 0.1 * rng.standard_normal(teacher_width)
    ln_bias = 0.1 * rng.standard_normal(teacher_width)
    bound = 1.0 / math.sqrt(teacher_width)
    linear_weight = rng.uniform(-bound, bound, (student_width, teacher_width))
    linear_bias = 0.1 * rng.standard_normal(student_width)
    arrays = {
        "teacher": teacher,
        "student": student,
        "ln_weight": ln_weight,
        "ln_bias": ln_bias,
        "linear_weight": linear_weight,
        "linear_bias": linear_bias,
        "temperatures": np.array(TEMPERATURES),
    }
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in arrays.items()}


# ------------------------------------------------------------------------------------------------
# Files
# ------------------------------------------------------------------------------------------------
def write_expected(prefix, values, gradients):
    with open(prefix + ".expected.json", "w", encoding="utf-8") as out:
        json.dump(values, out, indent=1)
        out.write("\n")
    np.savez(prefix + ".expected.npz", **{k: gradients[k] for k in GRADIENT_NAMES})


def generate(directory):
    os.makedirs(directory, exist_ok=True)
    for name, parameters in CASES.items():
        inputs = make_inputs(*parameters)
        prefix = os.path.join(directory, name)
        np.savez(prefix + ".npz", **{k: inputs[k] for k in INPUT_NAMES})
        values, gradients = expected_values(inputs)
        write_expected(prefix, values, gradients)


def close(expected, actual, relative, absolute):
    return abs(expected - actual) <= max(relative * abs(expected), absolute)


def compare(committed, fresh):
    """Lists every difference between two fixture directories."""
    problems = []
    for name in CASES:
        a = os.path.join(committed, name)
        b = os.path.join(fresh, name)
        for suffix, names in ((".npz", INPUT_NAMES), (".expected.npz", GRADIENT_NAMES)):
            if not os.path.isfile(a + suffix):
                problems.append(f"{name}{suffix}: missing")
                continue
            with np.load(a + suffix) as old, np.load(b + suffix) as new:
                if sorted(old.files) != sorted(names):
                    problems.append(f"{name}{suffix}: arrays {sorted(old.files)}, want {names}")
                    continue
                for key in names:
                    x, y = old[key], new[key]
                    if x.dtype != y.dtype or x.shape != y.shape:
                        problems.append(
                            f"{name}{suffix}: {key} is {x.dtype}{list(x.shape)},"
                            f" regenerated {y.dtype}{list(y.shape)}"
                        )
                    elif suffix == ".npz" and not np.array_equal(x, y):
                        problems.append(f"{name}{suffix}: input {key} differs")
                    elif suffix != ".npz" and not np.all(
                        np.abs(x - y) <= np.maximum(1e-6 * np.abs(y), 1e-9)
                    ):
                        worst = float(np.max(np.abs(x.astype(np.float64) - y)))
                        problems.append(f"{name}{suffix}: {key} differs by up to {worst:.3g}")
        if not os.path.isfile(a + ".expected.json"):
            problems.append(f"{name}.expected.json: missing")
            continue
        with open(a + ".expected.json", encoding="utf-8") as f:
            old_terms = json.load(f)
        with open(b + ".expected.json", encoding="utf-8") as f:
            new_terms = json.load(f)
        for term in TERMS:
            if term not in old_terms or not close(new_terms[term], old_terms[term], 1e-9, 1e-12):
                problems.append(
                    f"{name}.expected.json: {term} is {old_terms.get(term)},"
                    f" regenerated {new_terms[term]}"
                )
    return problems


def check(directory):
    with tempfile.TemporaryDirectory() as fresh:
        generate(fresh)
        problems = compare(directory, fresh)
    for problem in problems:
        print(f"{directory}/{problem}", file=sys.stderr)
    if problems:
        print(
            "fixtures differ from what tools/cospress_loss_reference.py generates; regenerate"
            " them with its `generate` command if the change is intended",
            file=sys.stderr,
        )
        return 1
    print(f"{directory}: {len(CASES)} cases match their regeneration")
    return 0


def expected_for_file(npz, prefix):
    with np.load(npz) as data:
        inputs = {k: data[k] for k in INPUT_NAMES}
    values, gradients = expected_values(inputs)
    print(json.dumps(values, indent=1))
    if prefix:
        write_expected(prefix, values, gradients)
    return 0


def main(argv):
    torch.set_num_threads(1)  # one summation order, whatever the machine
    if len(argv) >= 2 and argv[0] == "generate":
        generate(argv[1])
        return 0
    if len(argv) >= 2 and argv[0] == "check":
        return check(argv[1])
    if len(argv) >= 2 and argv[0] == "expected":
        return expected_for_file(argv[1], argv[2] if len(argv) > 2 else None)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
