"""FAISS HNSW on the vectors of a scale run, for the same queries, in one process.

  python3 faiss_hnsw.py VECTORS.npy QUERIES.npy [THREADS]

Builds IndexHNSWFlat (M 16, efConstruction 100, inner product) with THREADS OpenMP threads
(default 2), then measures recall@10 against exact inner-product search (IndexFlatIP) at
efSearch 80 and 160, and queries per second at each, one query at a time. Prints one JSON line.
"""
import json
import sys
import time

import faiss
import numpy as np


def main():
    vectors = np.load(sys.argv[1], mmap_mode="r")
    queries = np.ascontiguousarray(np.load(sys.argv[2]), dtype=np.float32)
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    faiss.omp_set_num_threads(threads)
    data = np.ascontiguousarray(vectors, dtype=np.float32)
    out = {"documents": int(data.shape[0]), "threads": threads, "M": 16, "efConstruction": 100}

    exact = faiss.IndexFlatIP(data.shape[1])
    exact.add(data)
    _, truth = exact.search(queries, 10)
    del exact

    index = faiss.IndexHNSWFlat(data.shape[1], 16, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 100
    t0 = time.perf_counter()
    index.add(data)
    out["build_seconds"] = round(time.perf_counter() - t0, 2)
    faiss.omp_set_num_threads(1)
    for ef in (80, 160):
        index.hnsw.efSearch = ef
        t0 = time.perf_counter()
        found = 0
        for q in range(queries.shape[0]):
            _, rows = index.search(queries[q : q + 1], 10)
            found += len(set(rows[0].tolist()) & set(truth[q].tolist()))
        elapsed = time.perf_counter() - t0
        out["recall_at_10_ef%d" % ef] = round(found / truth.size, 4)
        out["queries_per_second_ef%d" % ef] = round(queries.shape[0] / elapsed, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
