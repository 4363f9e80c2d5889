// The Embedstore search page: plain JavaScript, no build step, no network beyond this server.
// Every value from the store is put on the page as text (textContent), never as HTML.
"use strict";

const DEBOUNCE_MS = 250;
const SNIPPET_CHARS = 320;
const MODE_LABELS = { vector: "Meaning", keyword: "Words", hybrid: "Both", exact: "Exact" };

const state = {
  modes: ["vector"],
  mode: "vector",
  filters: [], // strings in the CLI's syntax: FIELD=VALUE, FIELD>=N, FIELD<=N
  fields: {}, // metadata field -> type, from /api/stats
  token: sessionStorage.getItem("embedstore-token") || "",
  generation: 0, // the latest search sent; older answers are dropped
};

const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (state.token) headers.Authorization = "Bearer " + state.token;
  const response = await fetch(path, Object.assign({}, options, { headers }));
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    body = { error: "the server sent no JSON (" + response.status + ")" };
  }
  if (response.status === 401) $("token-box").hidden = false;
  if (!response.ok) throw new Error(body.error || "HTTP " + response.status);
  return body;
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

// ---- search

function queryWords(q) {
  return Array.from(new Set(q.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) || []));
}

// The part of the text around the first query word, with every query word marked.
function snippet(text, words, mark) {
  const lower = text.toLowerCase();
  let start = 0;
  if (mark) {
    let first = -1;
    for (const w of words) {
      const i = lower.indexOf(w);
      if (i >= 0 && (first < 0 || i < first)) first = i;
    }
    if (first > SNIPPET_CHARS / 3) start = text.lastIndexOf(" ", first - 40) + 1;
  }
  let part = text.slice(start, start + SNIPPET_CHARS);
  const frag = document.createDocumentFragment();
  if (start > 0) frag.append("…");
  if (mark && words.length) {
    const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    const re = new RegExp("(" + escaped.join("|") + ")", "giu");
    let last = 0;
    for (const m of part.matchAll(re)) {
      frag.append(part.slice(last, m.index));
      frag.append(el("mark", null, m[0]));
      last = m.index + m[0].length;
    }
    frag.append(part.slice(last));
  } else {
    frag.append(part);
  }
  if (start + SNIPPET_CHARS < text.length) frag.append("…");
  return frag;
}

function card(hit, words, mark) {
  const li = el("li", "hit");
  li.append(el("h2", "hit-title", hit.title || hit.id));
  const p = el("p", "snippet");
  p.append(snippet(hit.text || "", words, mark));
  li.append(p);
  const meta = el("div", "meta");
  meta.append(el("span", "score", "score " + Number(hit.score).toFixed(3)));
  const id = el("span", "hit-id");
  id.append("id ", el("code", null, hit.id));
  meta.append(id);
  for (const [k, v] of Object.entries(hit.metadata || {})) {
    const m = el("span", "hit-meta");
    m.append(k + " ", el("code", null, Array.isArray(v) ? v.join(", ") : v));
    meta.append(m);
  }
  li.append(meta);
  return li;
}

function updateUrl(q) {
  const params = new URLSearchParams();
  if (q) params.set("q", q);
  if (state.mode !== "vector") params.set("mode", state.mode);
  for (const f of state.filters) params.append("filter", f);
  const s = params.toString();
  history.replaceState(null, "", s ? "?" + s : location.pathname);
}

async function search() {
  const q = $("q").value.trim();
  updateUrl(q);
  const generation = ++state.generation;
  const status = $("status");
  if (!q) {
    $("results").replaceChildren();
    status.textContent = "";
    status.classList.remove("error");
    return;
  }
  const params = new URLSearchParams({ q, k: "10", mode: state.mode });
  for (const f of state.filters) params.append("filter", f);
  const t0 = performance.now();
  try {
    const body = await api("/api/search?" + params);
    if (generation !== state.generation) return;
    const roundTrip = performance.now() - t0;
    const words = queryWords(q);
    const mark = state.mode === "keyword" || state.mode === "hybrid";
    $("results").replaceChildren(...body.hits.map((h) => card(h, words, mark)));
    status.classList.remove("error");
    status.textContent =
      (body.hits.length === 0 ? "No hits" : body.hits.length + (body.hits.length === 1 ? " hit" : " hits")) +
      " · search " + (body.seconds * 1000).toFixed(1) + " ms · round trip " + roundTrip.toFixed(0) + " ms";
  } catch (e) {
    if (generation !== state.generation) return;
    $("results").replaceChildren();
    status.classList.add("error");
    status.textContent = e.message;
  }
}

let timer = null;
function searchSoon() {
  clearTimeout(timer);
  timer = setTimeout(search, DEBOUNCE_MS);
}

// ---- modes and filters

function renderModes() {
  const box = $("modes");
  box.replaceChildren(box.querySelector("legend") || el("legend", "visually-hidden", "Search mode"));
  for (const m of state.modes) {
    const label = el("label", m === state.mode ? "on" : "");
    label.dataset.mode = m;
    const input = el("input");
    input.type = "radio";
    input.name = "mode";
    input.value = m;
    input.checked = m === state.mode;
    input.addEventListener("change", () => {
      state.mode = m;
      renderModes();
      search();
    });
    label.append(input, MODE_LABELS[m] || m);
    label.title = m;
    box.append(label);
  }
}

function renderFilters() {
  const select = $("filter-field");
  const names = Object.keys(state.fields).sort();
  select.replaceChildren(
    ...names.map((n) => {
      const o = el("option", null, n + " (" + state.fields[n] + ")");
      o.value = n;
      return o;
    }),
  );
  $("filters").hidden = names.length === 0;
  const chips = $("chips");
  chips.replaceChildren(
    ...state.filters.map((f, i) => {
      const li = el("li", "chip", f);
      const x = el("button", "chip-remove", "×");
      x.type = "button";
      x.title = "Remove " + f;
      x.addEventListener("click", () => {
        state.filters.splice(i, 1);
        renderFilters();
        search();
      });
      li.append(x);
      return li;
    }),
  );
}

function addFilter() {
  const field = $("filter-field").value;
  const value = $("filter-value").value.trim();
  if (!field || !value) return;
  state.filters.push(field + $("filter-op").value + value);
  $("filter-value").value = "";
  renderFilters();
  search();
}

// ---- stats and start-up

function renderStats(stats) {
  $("store-line").textContent =
    stats.documents + " documents · " + stats.chunks + " chunks · model " + stats.model + " · " + stats.backend;
  const dl = $("stats");
  dl.replaceChildren();
  for (const [k, v] of Object.entries(stats)) {
    dl.append(el("dt", null, k), el("dd", null, typeof v === "object" && v !== null ? JSON.stringify(v) : v));
  }
}

async function load() {
  try {
    const [health, stats] = await Promise.all([api("/api/health"), api("/api/stats")]);
    state.modes = health.search_modes.filter((m) => m !== "exact").concat(
      health.search_modes.includes("exact") ? ["exact"] : [],
    );
    state.fields = stats.metadata_fields || {};
    renderStats(stats);
  } catch (e) {
    $("store-line").textContent = e.message;
  }
  renderModes();
  renderFilters();
}

async function start() {
  const params = new URLSearchParams(location.search);
  const mode = params.get("mode");
  if (mode) state.mode = mode;
  state.filters = params.getAll("filter");
  $("q").value = params.get("q") || "";
  $("q").addEventListener("input", searchSoon);
  $("search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    clearTimeout(timer);
    search();
  });
  $("filter-add").addEventListener("click", addFilter);
  $("filter-value").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      addFilter();
    }
  });
  $("token-save").addEventListener("click", () => {
    state.token = $("token").value.trim();
    sessionStorage.setItem("embedstore-token", state.token);
    $("token-box").hidden = true;
    load().then(search);
  });
  await load();
  renderModes();
  if ($("q").value) search();
}

start();
