"""A vectorised NumPy evaluation of exported embeddings: the real alternative bench:browser measures
the notebook against (scripts/bench-browser.ts). A float32 GEMM per block of queries, then the
ranking rules and metrics of design.md (ties in pool order) with array operations per query.

    python3 scripts/numpy_eval.py <export dir> <task.json> <out.json> [--float64]

<export dir> holds queries.npy / candidates.npy (xling eval --export); task.json the languages, each
row's language index and each query's relevant candidate rows (written by scripts/numpy-reference.ts).
Prints nothing; writes the summary, every cell's and every query language's values, and the seconds
taken (loading excluded).

Scores are a float32 GEMM (the fast alternative benchmarks time). With --float64 they are summed in
float64 and rounded to float32, as the CLI's exact kernels store them: the same ties in the same
places, so a check of the numbers compares rankings, not GEMM rounding (test/cli/numpy-metrics.test.ts).

nDCG@10 (binary gains) = the sum over relevant items at rank r <= 10 of 1 / log2(r + 1), over the same
sum for a ranking with all relevant items on top; Recall@100 = the share of the relevant items at
rank <= 100. Per cell (the item's language pool, its relevant items in that language) and in the
multilingual pool (all of them), like mAP.
"""
import json
import sys
import time

import numpy as np


def main(export_dir, task_path, out_path, *flags):
    queries = np.load(f"{export_dir}/queries.npy")
    candidates = np.load(f"{export_dir}/candidates.npy")
    with open(task_path) as f:
        task = json.load(f)
    start = time.perf_counter()
    result = evaluate(queries, candidates, task, float64="--float64" in flags)
    seconds = time.perf_counter() - start
    with open(out_path, "w") as f:
        json.dump({"seconds": seconds, **result, "numpy": np.__version__}, f)


DISCOUNTS = 1 / np.log2(np.arange(2, 12))  # ranks 1 to 10


def ndcg10(ranks):
    """ranks: the relevant items' 1-based ranks, ascending."""
    return DISCOUNTS[ranks[ranks <= 10] - 1].sum() / DISCOUNTS[:min(len(ranks), 10)].sum()


def recall100(ranks):
    return np.count_nonzero(ranks <= 100) / len(ranks)


def evaluate(queries, candidates, task, float64=False):
    languages = task["languages"]
    n_lang = len(languages)
    query_lang = np.asarray(task["query_lang"])
    cand_lang = np.asarray(task["candidate_lang"])
    seg_start = np.searchsorted(cand_lang, np.arange(n_lang))
    positions = np.arange(len(cand_lang))
    cell = {k: np.zeros((n_lang, n_lang)) for k in ("ap", "ndcg10", "r100", "n")}
    multi = {k: np.zeros(n_lang) for k in ("ap", "r10", "share", "n", "dist", "dist_n", "ndcg10", "r100")}
    if float64:
        queries, candidates = queries.astype(np.float64), candidates.astype(np.float64)
    block = 512
    for b in range(0, len(queries), block):
        scores = queries[b:b + block] @ candidates.T
        if float64:
            scores = scores.astype(np.float32)
        for i in range(scores.shape[0]):
            q = b + i
            rel = np.asarray(task["relevant"][q])
            if len(rel) == 0:
                continue
            s = scores[i]
            rs = s[rel]
            # outranks[j, c]: candidate c comes before relevant item j (higher score, or a tie earlier in the pool)
            outranks = (s[None, :] > rs[:, None]) | ((s[None, :] == rs[:, None]) & (positions[None, :] < rel[:, None]))
            rank = outranks.sum(axis=1) + 1
            above_in_lang = np.add.reduceat(outranks, seg_start, axis=1)
            x = query_lang[q]
            rel_lang = cand_lang[rel]
            for y in np.unique(rel_lang):
                mine = rel_lang == y
                cell_rank = np.sort(above_in_lang[mine, y] + 1)
                cell["ap"][x, y] += np.mean(np.arange(1, len(cell_rank) + 1) / cell_rank)
                cell["ndcg10"][x, y] += ndcg10(cell_rank)
                cell["r100"][x, y] += recall100(cell_rank)
                cell["n"][x, y] += 1
            ordered = np.sort(rank)
            multi["ap"][x] += np.mean(np.arange(1, len(ordered) + 1) / ordered)
            multi["r10"][x] += np.count_nonzero(ordered <= 10) / len(ordered)
            multi["ndcg10"][x] += ndcg10(ordered)
            multi["r100"][x] += recall100(ordered)
            multi["n"][x] += 1
            if len(ordered) >= 2:
                multi["dist"][x] += ordered[-1] - ordered[0]
                multi["dist_n"][x] += 1
            top = np.argpartition(-s, 9)[:10]
            tied = np.nonzero(s >= s[top].min())[0]
            top10 = tied[np.argsort(-s[tied], kind="stable")][:10]
            multi["share"][x] += np.count_nonzero(cand_lang[top10] == x) / len(top10)
    cell_n = cell["n"]
    means = {k: np.divide(cell[k], cell_n, out=np.zeros_like(cell_n), where=cell_n > 0) for k in ("ap", "ndcg10", "r100")}
    diagonal = np.eye(n_lang, dtype=bool)
    mono, cross = diagonal & (cell_n > 0), ~diagonal & (cell_n > 0)
    present = multi["n"] > 0
    with_dist = multi["dist_n"] > 0
    multi_mean = {k: multi[k][present] / multi["n"][present] for k in ("ap", "r10", "share", "ndcg10", "r100")}
    summary = {
        "mono_map": float(means["ap"][mono].mean()),
        "cross_map": float(means["ap"][cross].mean()) if cross.any() else None,
        "multi_map": float(multi_mean["ap"].mean()),
        "multi_r10": float(multi_mean["r10"].mean()),
        "rank_distance": float((multi["dist"][with_dist] / multi["dist_n"][with_dist]).mean()) if with_dist.any() else None,
        "own_share10": float(multi_mean["share"].mean()),
        "mono_ndcg10": float(means["ndcg10"][mono].mean()),
        "mono_r100": float(means["r100"][mono].mean()),
        "cross_ndcg10": float(means["ndcg10"][cross].mean()) if cross.any() else None,
        "cross_r100": float(means["r100"][cross].mean()) if cross.any() else None,
        "multi_ndcg10": float(multi_mean["ndcg10"].mean()),
        "multi_r100": float(multi_mean["r100"].mean()),
    }
    cells = {languages[x]: {languages[y]: {"map": float(means["ap"][x, y]), "ndcg10": float(means["ndcg10"][x, y]), "r100": float(means["r100"][x, y]), "n": int(cell_n[x, y])}
                            for y in range(n_lang) if cell_n[x, y] > 0} for x in range(n_lang)}
    multilingual = {languages[x]: {"map": float(multi["ap"][x] / multi["n"][x])} | {k: float(multi[k][x] / multi["n"][x]) for k in ("r10", "ndcg10", "r100")}
                    | {"n": int(multi["n"][x])} for x in range(n_lang) if present[x]}
    return {"summary": summary, "cells": cells, "multilingual": multilingual}


if __name__ == "__main__":
    main(*sys.argv[1:])
