// The peers' embedding step: a BERT WordPiece tokenizer read from the model's tokenizer.json, ONNX
// Runtime's Node binding (the same C++ kernels as Python's onnxruntime, which cannot be installed
// on this machine class), mean pooling over the attention mask and L2 normalisation, as
// sentence-transformers runs all-MiniLM-L6-v2.
//
//   [PEERS_ORT_THREADS=N] node embed.mjs MODEL.onnx TOKENIZER.json MAX_TOKENS < texts.jsonl > vectors.f32
//
// Input: one JSON string per line. Output: n x dim little-endian float32, in input order.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const ort = require("onnxruntime-node");
const [modelPath, tokenizerPath, maxTokensArg] = process.argv.slice(2);
const maxTokens = Number(maxTokensArg || 256);
const BATCH = 32;

const tok = JSON.parse(readFileSync(tokenizerPath, "utf8"));
const vocab = new Map(Object.entries(tok.model.vocab));
const UNK = vocab.get(tok.model.unk_token);
const CLS = vocab.get("[CLS]");
const SEP = vocab.get("[SEP]");
const prefix = tok.model.continuing_subword_prefix;
const maxWordChars = tok.model.max_input_chars_per_word;

function isPunct(c) {
  const cp = c.codePointAt(0);
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
    return true;
  }
  return /\p{P}/u.test(c);
}

function isChinese(cp) {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

// BertNormalizer (clean text, spaced CJK, lowercase, accents stripped) then BertPreTokenizer.
function words(text) {
  let s = "";
  for (const c of text) {
    const cp = c.codePointAt(0);
    if (cp === 0 || cp === 0xfffd || (/\p{C}/u.test(c) && c !== "\t" && c !== "\n" && c !== "\r")) continue;
    if (/\s/u.test(c)) s += " ";
    else if (isChinese(cp)) s += " " + c + " ";
    else s += c;
  }
  s = s.toLowerCase().normalize("NFD").replace(/\p{Mn}/gu, "");
  const out = [];
  for (const w of s.split(" ")) {
    let cur = "";
    for (const c of w) {
      if (isPunct(c)) {
        if (cur) out.push(cur);
        out.push(c);
        cur = "";
      } else {
        cur += c;
      }
    }
    if (cur) out.push(cur);
  }
  return out;
}

function wordPiece(word, ids) {
  const chars = [...word];
  if (chars.length > maxWordChars) {
    ids.push(UNK);
    return;
  }
  const pieces = [];
  let start = 0;
  while (start < chars.length) {
    let end = chars.length;
    let found;
    while (start < end) {
      const sub = (start > 0 ? prefix : "") + chars.slice(start, end).join("");
      if (vocab.has(sub)) {
        found = vocab.get(sub);
        break;
      }
      end--;
    }
    if (found === undefined) {
      ids.push(UNK);
      return;
    }
    pieces.push(found);
    start = end;
  }
  ids.push(...pieces);
}

function encode(text) {
  const ids = [CLS];
  for (const w of words(text)) {
    wordPiece(w, ids);
    if (ids.length >= maxTokens - 1) break;
  }
  ids.length = Math.min(ids.length, maxTokens - 1);
  ids.push(SEP);
  return ids;
}

const texts = readFileSync(0, "utf8").split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));
// ONNX Runtime's defaults (intra-op threads = cores), as a Python InferenceSession would use them,
// unless PEERS_ORT_THREADS names a count.
const threads = Number(process.env.PEERS_ORT_THREADS || 0);
const session = await ort.InferenceSession.create(modelPath, threads > 0 ? { intraOpNumThreads: threads } : {});
const encoded = texts.map(encode);
const order = encoded.map((_, i) => i).sort((a, b) => encoded[a].length - encoded[b].length);
let dim = 0;
const vectors = new Array(texts.length);
for (let b = 0; b < order.length; b += BATCH) {
  const batch = order.slice(b, b + BATCH);
  const len = Math.max(...batch.map((i) => encoded[i].length));
  const ids = new BigInt64Array(batch.length * len);
  const mask = new BigInt64Array(batch.length * len);
  batch.forEach((i, r) => {
    encoded[i].forEach((t, c) => {
      ids[r * len + c] = BigInt(t);
      mask[r * len + c] = 1n;
    });
  });
  const feeds = {
    input_ids: new ort.Tensor("int64", ids, [batch.length, len]),
    attention_mask: new ort.Tensor("int64", mask, [batch.length, len]),
  };
  if (session.inputNames.includes("token_type_ids")) {
    feeds.token_type_ids = new ort.Tensor("int64", new BigInt64Array(batch.length * len), [batch.length, len]);
  }
  const result = await session.run(feeds);
  const hidden = result[session.outputNames[0]];
  dim = hidden.dims[2];
  batch.forEach((i, r) => {
    const v = new Float32Array(dim);
    const n = encoded[i].length;
    for (let t = 0; t < n; t++) {
      const base = (r * len + t) * dim;
      for (let d = 0; d < dim; d++) v[d] += hidden.data[base + d];
    }
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      v[d] /= n;
      norm += v[d] * v[d];
    }
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dim; d++) v[d] /= norm;
    vectors[i] = v;
  });
}
const out = Buffer.alloc(texts.length * dim * 4);
vectors.forEach((v, i) => Buffer.from(v.buffer).copy(out, i * dim * 4));
process.stdout.write(out);
