"""What both peer designs share: reading the corpus, the embedding step, one JSON line of counts.

The embedding step runs ONNX Runtime in a Node child process (embed.mjs): Python's onnxruntime and
tokenizers are not installable on this machine class, Node's ONNX Runtime binding is. The child is
started only when there is something to embed, as a lazily loaded model would be.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DIM = 384


def read_docs(path):
    """Returns [(id, text)] from JSON lines {"id": ..., "text": ...}."""
    docs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                docs.append((d["id"], d["text"]))
    return docs


def embed(texts, model_dir, max_tokens=256):
    """Embeds texts with the model in model_dir (model.onnx, tokenizer.json); returns float32 [n, dim]."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    payload = "".join(json.dumps(t) + "\n" for t in texts).encode("utf-8")
    out = subprocess.run(
        [
            os.environ.get("PEERS_NODE", "node"),
            os.path.join(HERE, "embed.mjs"),
            os.path.join(model_dir, "model.onnx"),
            os.path.join(model_dir, "tokenizer.json"),
            str(max_tokens),
        ],
        input=payload,
        stdout=subprocess.PIPE,
        check=True,
    ).stdout
    return np.frombuffer(out, dtype="<f4").reshape(len(texts), -1)


def report(started, **counts):
    """Prints the counts and the seconds since started as one JSON line."""
    counts["seconds"] = round(time.perf_counter() - started, 3)
    print(json.dumps(counts))
    sys.stdout.flush()
