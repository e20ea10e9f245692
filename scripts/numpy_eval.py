"""A vectorised NumPy evaluation of exported embeddings: the real alternative bench:browser measures
the notebook against (scripts/bench-browser.ts). A float32 GEMM per block of queries, then the
ranking rules and metrics of design.md (ties in pool order) with array operations per query.

    python3 scripts/numpy_eval.py <export dir> <task.json> <out.json>

<export dir> holds queries.npy / candidates.npy (xling eval --export); task.json the languages, each
row's language index and each query's relevant candidate rows (written by bench-browser.ts).
Prints nothing; writes the summary and the seconds taken (loading excluded).
"""
import json
import sys
import time

import numpy as np


def main(export_dir, task_path, out_path):
    queries = np.load(f"{export_dir}/queries.npy")
    candidates = np.load(f"{export_dir}/candidates.npy")
    with open(task_path) as f:
        task = json.load(f)
    start = time.perf_counter()
    summary = evaluate(queries, candidates, task)
    seconds = time.perf_counter() - start
    with open(out_path, "w") as f:
        json.dump({"seconds": seconds, "summary": summary, "numpy": np.__version__}, f)


def evaluate(queries, candidates, task):
    languages = task["languages"]
    n_lang = len(languages)
    query_lang = np.asarray(task["query_lang"])
    cand_lang = np.asarray(task["candidate_lang"])
    seg_start = np.searchsorted(cand_lang, np.arange(n_lang))
    positions = np.arange(len(cand_lang))
    cell_ap = np.zeros((n_lang, n_lang))
    cell_n = np.zeros((n_lang, n_lang))
    multi = {k: np.zeros(n_lang) for k in ("ap", "r10", "share", "n", "dist", "dist_n")}
    block = 512
    for b in range(0, len(queries), block):
        scores = queries[b:b + block] @ candidates.T
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
                cell_ap[x, y] += np.mean(np.arange(1, len(cell_rank) + 1) / cell_rank)
                cell_n[x, y] += 1
            ordered = np.sort(rank)
            multi["ap"][x] += np.mean(np.arange(1, len(ordered) + 1) / ordered)
            multi["r10"][x] += np.count_nonzero(ordered <= 10) / len(ordered)
            multi["n"][x] += 1
            if len(ordered) >= 2:
                multi["dist"][x] += ordered[-1] - ordered[0]
                multi["dist_n"][x] += 1
            top = np.argpartition(-s, 9)[:10]
            tied = np.nonzero(s >= s[top].min())[0]
            top10 = tied[np.argsort(-s[tied], kind="stable")][:10]
            multi["share"][x] += np.count_nonzero(cand_lang[top10] == x) / len(top10)
    cells = np.divide(cell_ap, cell_n, out=np.zeros_like(cell_ap), where=cell_n > 0)
    diagonal = np.eye(n_lang, dtype=bool)
    present = multi["n"] > 0
    with_dist = multi["dist_n"] > 0
    return {
        "mono_map": float(cells[diagonal & (cell_n > 0)].mean()),
        "cross_map": float(cells[~diagonal & (cell_n > 0)].mean()),
        "multi_map": float((multi["ap"][present] / multi["n"][present]).mean()),
        "multi_r10": float((multi["r10"][present] / multi["n"][present]).mean()),
        "rank_distance": float((multi["dist"][with_dist] / multi["dist_n"][with_dist]).mean()) if with_dist.any() else None,
        "own_share10": float((multi["share"][present] / multi["n"][present]).mean()),
    }


if __name__ == "__main__":
    main(*sys.argv[1:4])
