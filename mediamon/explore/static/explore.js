// mediamon explore: the concordance browser and the document reader (an anywidget front-end module).
//
// Every string from a corpus (text, titles, sources, URLs, actor names) arrives as a plain JSON value
// and is put into the page with textContent / append(string) / setAttribute on attributes this file
// names itself. Nothing here parses markup: there is no innerHTML, insertAdjacentHTML or
// document.write anywhere. A link gets an href only for an http(s) URL (checked again here).

const WORD_KEYS = ["5L", "4L", "3L", "2L", "1L", "K", "1R", "2R", "3R", "4R", "5R"];
const META_KEYS = [["", "corpus order"], ["date", "date, oldest first"], ["-date", "date, newest first"],
  ["source", "source"], ["title", "title"], ["doc_id", "document id"]];
const PAGE_SIZES = [10, 25, 50, 100, 250];

function h(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function safeHref(url) {
  if (typeof url !== "string" || !url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch (_) {
    return null;
  }
}

function copyButton(getText) {
  const button = h("button", { type: "button", class: "mm-x-copy", title: "copy the call" }, ["copy"]);
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(getText());
      button.textContent = "copied";
    } catch (_) {
      button.textContent = "select and copy";
    }
    setTimeout(() => { button.textContent = "copy"; }, 1500);
  });
  return button;
}

// ---- the reader ---------------------------------------------------------------------------------
function renderReader(container, doc, onClose) {
  container.replaceChildren();
  if (!doc || !doc.segments) return;
  const reader = h("div", { class: "mm-x mm-x-reader", "data-doc": doc.doc_id });
  const meta = h("div", { class: "mm-x-meta" });
  const facts = [doc.date, doc.source].filter(Boolean);
  facts.forEach((fact, i) => { if (i) meta.append(" · "); meta.append(h("bdi", { text: fact })); });
  if (facts.length) meta.append(" · ");
  meta.append(h("code", {}, [h("bdi", { text: doc.doc_id })]));
  const href = safeHref(doc.url);
  if (href) {
    meta.append(" · ");
    meta.append(h("a", { href, target: "_blank", rel: "noopener noreferrer" }, ["original"]));
  }
  const head = h("div", { class: "mm-x-head" }, [h("div", { class: "mm-x-title" }, [h("bdi", { text: doc.title || doc.doc_id })]), meta]);
  if (onClose) head.prepend(h("button", { type: "button", class: "mm-x-close", style: "float:right", onclick: onClose }, ["close"]));

  const legend = h("div", { class: "mm-x-legend" });
  if (!doc.actors.length) legend.append(h("span", { class: "mm-x-none", text: "no actor mentions shown" }));
  doc.actors.forEach((actor) => {
    legend.append(h("span", { class: "mm-x-key" }, [
      h("mark", { class: `mm-x-mention mm-x-a${Number(actor.colour) | 0}`, title: actor.id }, [h("bdi", { text: actor.name })]),
      ` ${Number(actor.mentions).toLocaleString()}`,
    ]));
  });
  const toggle = h("input", { type: "checkbox", class: "mm-x-toggle" });
  toggle.addEventListener("change", () => reader.classList.toggle("mm-x-show-sents", toggle.checked));
  legend.append(h("label", { class: "mm-x-toggle-label" }, [toggle, ` sentences (${Number(doc.n_sentences).toLocaleString()})`]));

  const text = h("div", { class: "mm-x-text", dir: "auto", style: "position:relative" });
  let sentence = null;
  let sentenceNo = -1;
  let firstHit = null;
  for (const [piece, actors, sent, hit] of doc.segments) {
    if (sent !== sentenceNo) {
      sentenceNo = sent;
      sentence = sent >= 0 ? h("span", { class: "mm-x-sent", "data-n": sent + 1, title: `sentence ${sent + 1}` }) : null;
      if (sentence) text.append(sentence);
    }
    let node = piece;
    if (actors.length || hit) {
      const classes = [];
      if (actors.length) classes.push("mm-x-mention", `mm-x-a${Number(doc.actors[actors[0]].colour) | 0}`);
      if (hit) classes.push("mm-x-hit");
      const label = actors.map((i) => doc.actors[i].name).join(" · ") + (hit ? " (the hit)" : "");
      node = h("mark", { class: classes.join(" "), title: label, "data-actor": actors.map((i) => doc.actors[i].id).join(" ") }, [piece]);
      if (hit && !firstHit) firstHit = node;
    }
    (sentence || text).append(node);
  }
  const code = h("pre", { class: "mm-x-code", text: doc.code });
  reader.append(head, legend, text, h("div", { class: "mm-x-codebar" }, [code, copyButton(() => doc.code)]));
  container.append(reader);
  if (firstHit) requestAnimationFrame(() => { text.scrollTop = Math.max(0, firstHit.offsetTop - text.clientHeight / 3); });
}

// ---- the browser --------------------------------------------------------------------------------
function select(options, value, onchange, title) {
  const node = h("select", { title });
  for (const [key, label] of options) node.append(h("option", { value: key, text: label }));
  node.value = value;
  node.addEventListener("change", () => onchange(node.value));
  return node;
}

function renderBrowser(model, el) {
  const root = h("div", { class: "mm-x mm-x-browser" });
  const set = (changes) => {
    for (const [key, value] of Object.entries(changes)) model.set(key, value);
    model.save_changes();
  };
  const caption = h("div", { class: "mm-x-caption" });

  // sorting: one metadata key, then up to three word positions (AntConc's levels)
  const levelOptions = [["", "—"], ...WORD_KEYS.map((k) => [k, k])];
  const metaSelect = select(META_KEYS, "", () => applySort(), "order by metadata first");
  const levels = [0, 1, 2].map((i) => select(levelOptions, "", () => applySort(), `word level ${i + 1}`));
  levels.forEach((node, i) => node.setAttribute("data-level", String(i + 1)));
  metaSelect.setAttribute("data-sort", "meta");
  function applySort() {
    const keys = [metaSelect.value, ...levels.map((l) => l.value)].filter(Boolean);
    set({ sort: keys, page: 0 });
  }
  const sortBar = h("div", { class: "mm-x-bar" }, [
    h("label", {}, ["Sort:", metaSelect]),
    h("label", {}, ["then", levels[0]]), levels[1], levels[2],
  ]);

  // filters
  const sourcesBox = h("div");
  const sourcesSummary = h("summary", { text: "sources: all" });
  const sources = h("details", { class: "mm-x-sources" }, [sourcesSummary, sourcesBox]);
  const dateFrom = h("input", { type: "date", title: "from (inclusive)" });
  const dateTo = h("input", { type: "date", title: "to (inclusive)" });
  dateFrom.addEventListener("change", () => set({ date_from: dateFrom.value, page: 0 }));
  dateTo.addEventListener("change", () => set({ date_to: dateTo.value, page: 0 }));
  const search = h("input", { type: "search", placeholder: "search in contexts", title: "case-insensitive substring of left, match and right" });
  let searchTimer = null;
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => set({ search: search.value, page: 0 }), 350);
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { clearTimeout(searchTimer); set({ search: search.value, page: 0 }); }
  });
  const clear = h("button", { type: "button", text: "clear filters" });
  clear.addEventListener("click", () => set({ selected_sources: [], date_from: "", date_to: "", search: "", page: 0 }));
  const filterBar = h("div", { class: "mm-x-bar" }, [
    sources, h("label", {}, ["from", dateFrom]), h("label", {}, ["to", dateTo]), search, clear,
  ]);

  const count = h("div", { class: "mm-x-count" });
  const error = h("div", { class: "mm-x-error", role: "alert" });

  // the table
  const headers = [
    ["#", null], ["document", ["title"]], ["date", ["date"]], ["source", ["source"]],
    ["left", ["1L", "2L", "3L"]], ["match", ["K", "1R"]], ["right", ["1R", "2R", "3R"]],
  ];
  const headRow = h("tr");
  headers.forEach(([label, keys]) => {
    const th = h("th", { text: label, "data-col": label, title: keys ? `sort by ${keys.join(", ")}` : null });
    if (keys) th.addEventListener("click", () => {
      const current = model.get("sort") || [];
      let next = keys;
      if (label === "date" && current[0] === "date") next = ["-date"];
      set({ sort: next, page: 0 });
    });
    headRow.append(th);
  });
  const tbody = h("tbody");
  const table = h("table", { class: "mm-x-kwic" }, [h("thead", {}, [headRow]), tbody]);

  // paging
  const first = h("button", { type: "button", text: "«", title: "first page" });
  const prev = h("button", { type: "button", text: "‹", title: "previous page" });
  const next = h("button", { type: "button", text: "›", title: "next page" });
  const last = h("button", { type: "button", text: "»", title: "last page" });
  const pageInput = h("input", { type: "number", min: 1, title: "page" });
  const pageOf = h("span");
  const pageSize = select(PAGE_SIZES.map((n) => [String(n), `${n} per page`]), "25",
    (v) => set({ page_size: Number(v), page: 0 }), "hits per page");
  first.addEventListener("click", () => set({ page: 0 }));
  prev.addEventListener("click", () => set({ page: Math.max(0, model.get("page") - 1) }));
  next.addEventListener("click", () => set({ page: Math.min(model.get("n_pages") - 1, model.get("page") + 1) }));
  last.addEventListener("click", () => set({ page: model.get("n_pages") - 1 }));
  pageInput.addEventListener("change", () => {
    const wanted = Math.max(1, Math.min(model.get("n_pages"), Number(pageInput.value) || 1));
    set({ page: wanted - 1 });
  });
  const pager = h("div", { class: "mm-x-pager" }, [first, prev, "page", pageInput, pageOf, next, last, pageSize]);

  const code = h("pre", { class: "mm-x-code" });
  const codeBar = h("div", { class: "mm-x-codebar" }, [code, copyButton(() => model.get("code"))]);
  const reader = h("div", { class: "mm-x-reader-slot" });

  root.append(caption, sortBar, filterBar, error, count, table, pager, codeBar, reader);
  el.append(root);

  let openRow = null;
  function renderSources() {
    const chosen = new Set(model.get("selected_sources") || []);
    sourcesBox.replaceChildren();
    for (const [name, n] of model.get("sources") || []) {
      const box = h("input", { type: "checkbox", "data-source": name });
      box.checked = chosen.has(name);
      box.addEventListener("change", () => {
        const now = new Set(model.get("selected_sources") || []);
        if (box.checked) now.add(name); else now.delete(name);
        set({ selected_sources: [...now], page: 0 });
      });
      sourcesBox.append(h("label", {}, [box, h("bdi", { text: name }), ` (${Number(n).toLocaleString()})`]));
    }
    sourcesSummary.textContent = chosen.size ? `sources: ${chosen.size} chosen` : "sources: all";
  }
  function renderControls() {
    const sort = model.get("sort") || [];
    const meta = sort.filter((k) => META_KEYS.some(([key]) => key && key === k));
    const words = sort.filter((k) => WORD_KEYS.includes(k));
    metaSelect.value = meta[0] || "";
    levels.forEach((node, i) => { node.value = words[i] || ""; });
    headRow.querySelectorAll("th").forEach((th) => th.classList.remove("mm-x-sorted"));
    const span = model.get("date_span") || ["", ""];
    for (const input of [dateFrom, dateTo]) {
      if (span[0]) input.min = span[0];
      if (span[1]) input.max = span[1];
    }
    dateFrom.value = model.get("date_from") || "";
    dateTo.value = model.get("date_to") || "";
    if (document.activeElement !== search) search.value = model.get("search") || "";
    pageSize.value = String(model.get("page_size"));
    renderSources();
  }
  function renderRows() {
    caption.textContent = model.get("caption");
    error.textContent = model.get("error") || "";
    const rows = model.get("rows") || [];
    const page = model.get("page");
    const size = model.get("page_size");
    const matched = model.get("matched");
    const total = model.get("total");
    const from = matched ? page * size + 1 : 0;
    let text = `hits ${from.toLocaleString()}–${(page * size + rows.length).toLocaleString()} of ${matched.toLocaleString()}`;
    if (matched !== total) text += ` (filtered from ${total.toLocaleString()})`;
    count.replaceChildren(text);
    const hidden = model.get("hidden_undated");
    if (hidden) count.append(h("span", { class: "mm-x-note", text: ` · ${hidden.toLocaleString()} undated hits left out by the date range` }));
    tbody.replaceChildren();
    rows.forEach((row, i) => {
      const tr = h("tr", { tabindex: 0, "data-row": row.row, title: "open the document" }, [
        h("td", { class: "mm-x-num", text: String(from + i) }),
        h("td", { class: "mm-x-doc", title: `${row.title} (${row.doc_id})` }, [h("div", {}, [h("bdi", { text: row.title || row.doc_id })])]),
        h("td", { class: "mm-x-date", text: row.date }),
        h("td", { class: "mm-x-source", title: row.source }, [h("div", {}, [h("bdi", { text: row.source })])]),
        h("td", { class: "mm-x-left" }, [h("div", { class: "mm-x-clip" }, [h("bdi", { text: row.left })])]),
        h("td", { class: "mm-x-match" }, [h("bdi", { text: row.match })]),
        h("td", { class: "mm-x-right" }, [h("div", { class: "mm-x-clip" }, [h("bdi", { text: row.right })])]),
      ]);
      if (row.row === openRow) tr.classList.add("mm-x-open");
      const open = () => {
        openRow = row.row;
        tbody.querySelectorAll("tr.mm-x-open").forEach((r) => r.classList.remove("mm-x-open"));
        tr.classList.add("mm-x-open");
        model.send({ type: "open", row: row.row });
      };
      tr.addEventListener("click", open);
      tr.addEventListener("keydown", (event) => { if (event.key === "Enter") open(); });
      tbody.append(tr);
    });
    pageInput.value = String(page + 1);
    pageInput.max = String(model.get("n_pages"));
    pageOf.textContent = `of ${Number(model.get("n_pages")).toLocaleString()}`;
    first.disabled = prev.disabled = page <= 0;
    next.disabled = last.disabled = page >= model.get("n_pages") - 1;
    code.textContent = model.get("code");
  }
  function renderDocument() {
    renderReader(reader, model.get("document"), () => {
      openRow = null;
      tbody.querySelectorAll("tr.mm-x-open").forEach((r) => r.classList.remove("mm-x-open"));
      set({ document: {} });
    });
  }
  renderControls();
  renderRows();
  renderDocument();
  const onControls = () => renderControls();
  const onRows = () => renderRows();
  const onDocument = () => renderDocument();
  const controlEvents = ["sort", "selected_sources", "date_from", "date_to", "search", "page_size", "sources", "date_span"];
  controlEvents.forEach((name) => model.on(`change:${name}`, onControls));
  const rowEvents = ["rows", "matched", "error", "code", "page", "n_pages", "hidden_undated", "caption"];
  rowEvents.forEach((name) => model.on(`change:${name}`, onRows));
  model.on("change:document", onDocument);
  return () => {
    controlEvents.forEach((name) => model.off(`change:${name}`, onControls));
    rowEvents.forEach((name) => model.off(`change:${name}`, onRows));
    model.off("change:document", onDocument);
  };
}

export default {
  render({ model, el }) {
    if (model.get("mode") === "reader") {
      const draw = () => renderReader(el, model.get("document"), null);
      draw();
      model.on("change:document", draw);
      return () => model.off("change:document", draw);
    }
    return renderBrowser(model, el);
  },
};
