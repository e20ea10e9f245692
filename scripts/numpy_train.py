"""The training step in NumPy: the real alternative bench:train measures the trainers against.

    python3 scripts/numpy_train.py <dir> <out.json>

<dir> holds batches.npy (k * 2n rows of d float32: per batch n question rows, then n answer rows), the head's initial
parameters (D.npy, or A.npy and B.npy) and settings.json ({kind, n, steps, warmup, temperature,
learning_rate, weight_decay, warmup_steps, total_steps}). The same maths as src/core/training/step.ts
and optimizer.ts, vectorised in float32: head, L2 normalisation, InfoNCE with in-batch negatives,
closed-form backward, AdamW with linear warm-up and decay. Writes steps/s and the first step's loss.
"""
import json
import sys
import time

import numpy as np

B1, B2, EPS = 0.9, 0.999, 1e-8


def main(folder, out_path):
    with open(f"{folder}/settings.json") as f:
        s = json.load(f)
    rows = np.load(f"{folder}/batches.npy")
    batches = rows.reshape(-1, 2 * s["n"], rows.shape[1])
    names = ["D"] if s["kind"] == "linear" else ["A", "B"]
    params = {name: np.load(f"{folder}/{name}.npy") for name in names}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    losses = []
    start = None
    for t in range(s["warmup"] + s["steps"]):
        if t == s["warmup"]:
            start = time.perf_counter()
        x = batches[t % len(batches)]
        loss, grads = loss_and_gradients(params, x, s["n"], s["temperature"], s["kind"])
        losses.append(float(loss))
        lr = learning_rate(t, s)
        for k in params:
            m[k] = B1 * m[k] + (1 - B1) * grads[k]
            v[k] = B2 * v[k] + (1 - B2) * grads[k] * grads[k]
            update = (m[k] / (1 - B1 ** (t + 1))) / (np.sqrt(v[k] / (1 - B2 ** (t + 1))) + EPS)
            params[k] -= (lr * (update + s["weight_decay"] * params[k])).astype(np.float32)
    seconds = time.perf_counter() - start
    with open(out_path, "w") as f:
        json.dump({"steps_per_s": s["steps"] / seconds, "first_loss": losses[0], "numpy": np.__version__}, f)


def loss_and_gradients(params, x, n, tau, kind):
    if kind == "linear":
        z = x + x @ params["D"]
    else:
        h = x @ params["A"]
        z = x + h @ params["B"]
    norms = np.linalg.norm(z, axis=1, keepdims=True)
    u = z / norms
    scores = (u[:n] @ u[n:].T) / tau
    top = scores.max(axis=1, keepdims=True)
    e = np.exp(scores - top)
    total = e.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(total[:, 0]) + top[:, 0] - np.diag(scores))
    g = (e / total - np.eye(n, dtype=np.float32)) / (n * tau)
    du = np.concatenate([g @ u[n:], g.T @ u[:n]])
    dz = (du - u * (u * du).sum(axis=1, keepdims=True)) / norms
    if kind == "linear":
        return loss, {"D": x.T @ dz}
    return loss, {"B": h.T @ dz, "A": x.T @ (dz @ params["B"].T)}


def learning_rate(step, s):
    warm = max(0, s["warmup_steps"])
    if step < warm:
        return s["learning_rate"] * (step + 1) / (warm + 1)
    return s["learning_rate"] * max(0.0, 1 - (step - warm) / max(1, s["total_steps"] - warm))


if __name__ == "__main__":
    main(*sys.argv[1:3])
