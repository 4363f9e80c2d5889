"""Design B, the embedding-cache tutorial in front of a vector store, reduced to what it does.

  python3 tutorial_store.py index  --docs DOCS.jsonl --dir DIR --model MODEL_DIR
  python3 tutorial_store.py delete --dir DIR ID...
  python3 tutorial_store.py search --dir DIR --model MODEL_DIR --query TEXT [-k 10]

The cache is one .npy file per document content, named by its SHA-256, with an index file
(index.json) that maps each document id to the hash of the content it was indexed with. Indexing
skips a document whose id maps to its current hash; any other document gets its vector from the
cache (or the model on a miss) and is upserted into the store. Chroma is not installable here: the
store is a FAISS IndexIDMap2 over an exact inner-product index, written to disk with its ids and
texts after every change (Chroma persists to SQLite and an HNSW index; this store is lighter).
Deleting removes a document from the store and from the index file; its cached vector stays, so
indexing again re-adds it without the model.
"""
import argparse
import hashlib
import json
import os
import time

import faiss
import numpy as np

import peercommon


class Store:
    """The vector store: vectors under int64 row ids, with each row's document id and text."""

    def __init__(self, folder):
        self.folder = folder
        self.index_path = os.path.join(folder, "store.faiss")
        self.meta_path = os.path.join(folder, "store.json")
        if os.path.exists(self.index_path):
            self.index = faiss.read_index(self.index_path)
            with open(self.meta_path, encoding="utf-8") as f:
                meta = json.load(f)
            self.rows = {doc_id: (row, text) for doc_id, row, text in meta["rows"]}
            self.next_row = meta["next_row"]
        else:
            self.index = faiss.IndexIDMap2(faiss.IndexFlatIP(peercommon.DIM))
            self.rows = {}
            self.next_row = 0

    def delete(self, doc_ids):
        rows = [self.rows.pop(d)[0] for d in doc_ids if d in self.rows]
        if rows:
            self.index.remove_ids(np.array(rows, dtype=np.int64))
        return len(rows)

    def upsert(self, doc_ids, texts, vectors):
        self.delete(doc_ids)
        rows = np.arange(self.next_row, self.next_row + len(doc_ids), dtype=np.int64)
        self.next_row += len(doc_ids)
        if len(doc_ids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), rows)
        for d, r, t in zip(doc_ids, rows, texts):
            self.rows[d] = (int(r), t)

    def save(self):
        faiss.write_index(self.index, self.index_path)
        meta = {"next_row": self.next_row, "rows": [[d, r, t] for d, (r, t) in self.rows.items()]}
        with open(self.meta_path, "w", encoding="utf-8") as f:
            json.dump(meta, f)


def load_hashes(folder):
    path = os.path.join(folder, "index.json")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def save_hashes(folder, hashes):
    with open(os.path.join(folder, "index.json"), "w", encoding="utf-8") as f:
        json.dump(hashes, f)


def index(args):
    started = time.perf_counter()
    docs = peercommon.read_docs(args.docs)
    cache = os.path.join(args.dir, "cache")
    os.makedirs(cache, exist_ok=True)
    hashes = load_hashes(args.dir)
    store = Store(args.dir)
    todo = []
    for doc_id, text in docs:
        h = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if hashes.get(doc_id) != h or doc_id not in store.rows:
            todo.append((doc_id, text, h))
    vectors = [None] * len(todo)
    missing = []
    for j, (_, _, h) in enumerate(todo):
        path = os.path.join(cache, h + ".npy")
        if os.path.exists(path):
            vectors[j] = np.load(path)
        else:
            missing.append(j)
    fresh = peercommon.embed([todo[j][1] for j in missing], args.model)
    for n, j in enumerate(missing):
        vectors[j] = fresh[n]
        np.save(os.path.join(cache, todo[j][2] + ".npy"), fresh[n])
    if todo:
        store.upsert([t[0] for t in todo], [t[1] for t in todo], np.vstack(vectors))
        store.save()
        for doc_id, _, h in todo:
            hashes[doc_id] = h
        save_hashes(args.dir, hashes)
    peercommon.report(
        started,
        documents=len(docs),
        upserted=len(todo),
        embedded=len(missing),
        reused=len(todo) - len(missing),
        skipped=len(docs) - len(todo),
    )


def delete(args):
    started = time.perf_counter()
    store = Store(args.dir)
    deleted = store.delete(args.ids)
    store.save()
    hashes = load_hashes(args.dir)
    for doc_id in args.ids:
        hashes.pop(doc_id, None)
    save_hashes(args.dir, hashes)
    peercommon.report(started, deleted=deleted)


def search(args):
    started = time.perf_counter()
    store = Store(args.dir)
    by_row = {r: d for d, (r, _) in store.rows.items()}
    query = peercommon.embed([args.query], args.model)
    scores, rows = store.index.search(query, args.k)
    hits = [{"id": by_row[int(r)], "score": float(s)} for s, r in zip(scores[0], rows[0]) if r >= 0]
    peercommon.report(started, hits=hits)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("command", choices=["index", "delete", "search"])
    p.add_argument("ids", nargs="*")
    p.add_argument("--docs")
    p.add_argument("--dir", required=True)
    p.add_argument("--model")
    p.add_argument("--query")
    p.add_argument("-k", type=int, default=10)
    args = p.parse_intermixed_args()
    {"index": index, "delete": delete, "search": search}[args.command](args)


if __name__ == "__main__":
    main()
