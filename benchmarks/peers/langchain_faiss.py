"""Design A, LangChain's CacheBackedEmbeddings in front of a FAISS index, reduced to what it does.

  python3 langchain_faiss.py build  --docs DOCS.jsonl --dir DIR --model MODEL_DIR
  python3 langchain_faiss.py search --dir DIR --model MODEL_DIR --query TEXT [-k 10]

The cache is a file store with one file per text, named by a hash of the namespace and the text
(LangChain's LocalFileStore keyed by CacheBackedEmbeddings); here a value is the vector's raw
float32 bytes, where LangChain writes it as JSON text (cheaper to read: it favours this peer).
Every build writes a new FAISS HNSW index (M 16, efConstruction 100, inner product) and its
docstore next to the cache: re-creating the index from the cache is a build whose texts all hit.
Queries are not cached, as in CacheBackedEmbeddings by default. LangChain itself is not imported
(it is not installable here); a real process would pay for that import too.
"""
import argparse
import hashlib
import os
import pickle
import time

import faiss
import numpy as np

import peercommon

NAMESPACE = "all-minilm-l6-v2"


def key(text):
    return NAMESPACE + hashlib.sha1(text.encode("utf-8")).hexdigest()


def build(args):
    started = time.perf_counter()
    docs = peercommon.read_docs(args.docs)
    cache = os.path.join(args.dir, "cache")
    os.makedirs(cache, exist_ok=True)
    vectors = [None] * len(docs)
    missing = []
    for i, (_, text) in enumerate(docs):
        path = os.path.join(cache, key(text))
        try:
            with open(path, "rb") as f:
                vectors[i] = np.frombuffer(f.read(), dtype=np.float32)
        except FileNotFoundError:
            missing.append(i)
    # CacheBackedEmbeddings embeds the misses in one call, then writes them to the store.
    fresh = peercommon.embed([docs[i][1] for i in missing], args.model)
    for j, i in enumerate(missing):
        vectors[i] = fresh[j]
        with open(os.path.join(cache, key(docs[i][1])), "wb") as f:
            f.write(fresh[j].tobytes())
    matrix = np.ascontiguousarray(np.vstack(vectors), dtype=np.float32)
    index = faiss.IndexHNSWFlat(matrix.shape[1], 16, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 100
    index.add(matrix)
    faiss.write_index(index, os.path.join(args.dir, "index.faiss"))
    with open(os.path.join(args.dir, "index.pkl"), "wb") as f:
        pickle.dump(docs, f)
    peercommon.report(started, documents=len(docs), embedded=len(missing), reused=len(docs) - len(missing))


def search(args):
    started = time.perf_counter()
    index = faiss.read_index(os.path.join(args.dir, "index.faiss"))
    with open(os.path.join(args.dir, "index.pkl"), "rb") as f:
        docs = pickle.load(f)
    query = peercommon.embed([args.query], args.model)
    index.hnsw.efSearch = max(args.k, 100)
    scores, rows = index.search(query, args.k)
    hits = [{"id": docs[r][0], "score": float(s)} for s, r in zip(scores[0], rows[0]) if r >= 0]
    peercommon.report(started, hits=hits)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("command", choices=["build", "search"])
    p.add_argument("--docs")
    p.add_argument("--dir", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--query")
    p.add_argument("-k", type=int, default=10)
    args = p.parse_args()
    build(args) if args.command == "build" else search(args)


if __name__ == "__main__":
    main()
