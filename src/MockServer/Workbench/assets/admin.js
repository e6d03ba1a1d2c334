// The keys and journal panels, both over /admin with the admin key the user typed (if any). Admin routes off means
// /admin/keys answers 404: a panel then says how to turn them on instead of showing an error.

const ADMIN_OFF = "The admin routes are off; start the mock with --admin true to see them here.";
const KEY_NEEDED = "Admin key needed: type it in \"Admin key (/admin)\" above, then refresh.";
const JOURNAL_ROWS = 50;

/** GET/PATCH/POST an admin route; resolves to { status, json } (json null when the body is not JSON). */
async function call(getKey, method, path, body) {
  const headers = {};
  const key = getKey();
  if (key) {
    headers.Authorization = `Bearer ${key}`;
  }
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
  }
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: response.status, json };
}

function envelopeText(result) {
  const e = result.json?.error;
  return e ? `${result.status} ${e.type ?? ""} ${e.code ?? ""}: ${e.message ?? ""}`.replace(/\s+/g, " ") : `HTTP ${result.status}`;
}

/** The words for an admin answer that is not a success, or null for a success. */
function trouble(result, what) {
  if (result.status === 401) {
    return KEY_NEEDED;
  }
  if (result.status === 404 && what === "list") {
    return ADMIN_OFF;
  }
  return result.status >= 200 && result.status < 300 ? null : `Failed: ${envelopeText(result)}`;
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "–" : String(text);
  return td;
}

/** What the keys and journal panels share: the admin key, a table of rows, a message line, a refresh button, calls. */
class AdminPanel {
  constructor(getKey, tableId, messageId, refreshId) {
    this.getKey = getKey;
    this.table = document.getElementById(tableId);
    this.body = this.table.tBodies[0];
    this.message = document.getElementById(messageId);
    document.getElementById(refreshId).addEventListener("click", () => this.load());
    this.loaded = false;
  }

  /** Refreshes after a send, only when the panel has shown its list before (no admin message churn otherwise). */
  refreshIfShown() {
    if (this.loaded) {
      this.load();
    }
  }

  say(text) {
    this.message.textContent = text;
  }

  /**
   * Calls an admin route: its { status, json } on success, or undefined once the panel has said why not.
   * `onRefused` runs when the mock answered with a failure (not when it could not be reached).
   */
  async send(method, path, body, what, onRefused = () => {}) {
    let result;
    try {
      result = await call(this.getKey, method, path, body);
    } catch (error) {
      this.say(`Could not reach the mock: ${error.message}`);
      return undefined;
    }
    const problem = trouble(result, what);
    if (problem) {
      onRefused();
      this.say(problem);
      return undefined;
    }
    return result;
  }

  /** GETs the panel's list route. Refused (admin off, key needed), the table empties and the panel stops refreshing itself. */
  async fetchList(path) {
    const result = await this.send("GET", path, undefined, "list", () => {
      this.loaded = false;
      this.body.replaceChildren();
    });
    if (result) {
      this.loaded = true;
    }
    return result;
  }
}

export class KeysPanel extends AdminPanel {
  constructor(getKey) {
    super(getKey, "keys", "keys-message", "keys-refresh");
  }

  async load(note = "") {
    const result = await this.fetchList("/admin/keys");
    if (!result) {
      return;
    }
    const keys = Array.isArray(result.json?.data) ? result.json.data : [];
    this.body.replaceChildren(...keys.map((k, i) => this.row(k, i)));
    this.say(note || (keys.length === 0
      ? "No /v1 keys are configured (start with --api-keys or --keys-file to have some)."
      : `${keys.length} key${keys.length === 1 ? "" : "s"}.`));
  }

  row(key, i) {
    const tr = document.createElement("tr");
    tr.dataset.name = key.name;
    const name = document.createElement("th");
    name.scope = "row";
    name.textContent = key.name;
    // The admin API never returns a key: the column says one exists without showing any of it.
    const masked = cell("••••");
    masked.setAttribute("aria-label", "hidden");
    tr.append(name, masked, cell(key.requests), cell(key.total_tokens),
      cell(key.token_budget ?? "none"), cell(key.remaining_budget ?? "–"), cell(key.rpm ?? "none"), cell(key.tpm ?? "none"));

    const td = document.createElement("td");
    const actions = document.createElement("div"); // a flex box inside the cell: a flex td loses its table borders
    actions.className = "key-actions";
    td.append(actions);
    const id = `key-budget-${i}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = `New budget for ${key.name} (empty: no limit)`;
    const input = document.createElement("input");
    input.id = id;
    input.type = "number";
    input.min = "0";
    input.step = "1";
    input.className = "key-budget";
    input.placeholder = "no limit";
    input.value = key.token_budget ?? "";
    const save = document.createElement("button");
    save.type = "button";
    save.className = "key-save";
    save.textContent = "Save budget";
    save.addEventListener("click", () => this.saveBudget(key.name, input));
    input.addEventListener("keydown", e => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.saveBudget(key.name, input);
      }
    });
    const reset = document.createElement("button");
    reset.type = "button";
    reset.className = "key-reset";
    reset.textContent = "Reset usage";
    reset.addEventListener("click", () => this.reset(key.name));
    actions.append(label, input, save, reset);
    tr.append(td);
    return tr;
  }

  async saveBudget(name, input) {
    const text = input.value.trim();
    // Empty means no limit: the admin API removes a limit given as null.
    // A number input with unparseable text ("12e", "-") reports value "": that is a typo, not "remove the limit".
    const budget = text === "" && !input.validity.badInput ? null : Number(text === "" ? NaN : text);
    if (budget !== null && (!Number.isInteger(budget) || budget < 0)) {
      input.setAttribute("aria-invalid", "true");
      this.say(`The budget for ${name} must be a whole number of tokens, 0 or more (empty removes the limit).`);
      input.focus();
      return;
    }
    input.removeAttribute("aria-invalid");
    await this.change("PATCH", `/admin/keys/${encodeURIComponent(name)}`, { token_budget: budget },
      budget === null ? `Budget of ${name} removed.` : `Budget of ${name} set to ${budget}.`);
  }

  reset(name) {
    return this.change("POST", `/admin/keys/${encodeURIComponent(name)}/reset`, undefined, `Usage of ${name} reset.`);
  }

  async change(method, path, body, done) {
    if (await this.send(method, path, body, "change")) {
      await this.load(done);
    }
  }
}

export class JournalPanel extends AdminPanel {
  constructor(getKey) {
    super(getKey, "journal", "journal-message", "journal-refresh");
    this.detail = document.getElementById("journal-detail");
    this.detailHeading = document.getElementById("journal-detail-heading");
    this.detailBody = document.getElementById("journal-detail-body");
    this.opener = null;
    document.getElementById("journal-detail-close").addEventListener("click", () => this.close());
    this.detail.addEventListener("keydown", e => {
      if (e.key === "Escape") {
        e.preventDefault();
        this.close();
      }
    });
  }

  async load() {
    const result = await this.fetchList("/admin/journal");
    if (!result) {
      return;
    }
    const entries = Array.isArray(result.json) ? result.json : [];
    // The route lists oldest first; the panel shows the most recent, newest first.
    const recent = entries.slice(-JOURNAL_ROWS).reverse();
    this.entries = new Map(recent.map(e => [e.sequence, e]));
    this.body.replaceChildren(...recent.map(e => this.row(e)));
    this.say(entries.length === 0
      ? "The journal is empty: send a request."
      : `${recent.length} of ${entries.length} entr${entries.length === 1 ? "y" : "ies"}, newest first.`);
  }

  row(e) {
    const tr = document.createElement("tr");
    tr.dataset.sequence = String(e.sequence);
    const answered = e.fixture ? `fixture ${e.fixture}` : (e.answered_by ?? "");
    // Near-miss explanations are long: the table counts them, the detail lists them.
    const count = Array.isArray(e.near_misses) ? e.near_misses.length : 0;
    const misses = count > 0 ? ` (${count} near miss${count === 1 ? "" : "es"}: ${shorten(e.near_misses[0])}${count > 1 ? `; ${count - 1} more in the detail` : ""})` : "";
    const frames = e.stream ? `${e.frames}${e.done ? "" : " (no [DONE])"}${e.left_early ? ", client left" : ""}` : "–";
    const seq = document.createElement("th");
    seq.scope = "row";
    seq.textContent = String(e.sequence);
    tr.append(seq, cell(clock(e.time)), cell(e.method), cell(e.path), cell(e.model), cell(e.status),
      cell(answered + misses), cell(e.fault), cell(frames));
    const td = document.createElement("td");
    const open = document.createElement("button");
    open.type = "button";
    open.className = "journal-open";
    open.textContent = "Open";
    open.setAttribute("aria-label", `Open request ${e.sequence}`);
    open.addEventListener("click", () => this.open(e.sequence, open));
    td.append(open);
    tr.append(td);
    return tr;
  }

  async open(sequence, opener) {
    this.opener = opener;
    const listed = this.entries?.get(sequence);
    let entry = listed;
    let note = "";
    try {
      const result = await call(this.getKey, "GET", `/admin/journal/${sequence}`);
      if (result.status === 200 && result.json) {
        entry = result.json;
      } else if (result.status === 404 && result.json?.error?.code === "journal_entry_not_found") {
        note = "This entry is no longer in the journal (it keeps the newest requests only); showing what the list had.";
      } else if (result.status === 404) {
        note = "This server does not serve a request's answer (GET /admin/journal/{sequence}); showing what the list had.";
      } else {
        note = trouble(result, "detail") ?? "";
      }
    } catch (error) {
      note = `Could not reach the mock: ${error.message}`;
    }
    this.render(sequence, entry, note);
  }

  render(sequence, entry, note) {
    this.detailHeading.textContent = `Request ${sequence}`;
    const parts = [];
    if (note) {
      const p = document.createElement("p");
      p.className = "info";
      p.textContent = note;
      parts.push(p);
    }
    if (entry) {
      parts.push(block("Summary", `${entry.time}: ${entry.method} ${entry.path} → ${entry.status}` +
        `${entry.model ? `, model ${entry.model}` : ""}${entry.fault ? `, fault ${entry.fault}` : ""}` +
        `${entry.stream ? `, ${entry.frames} frames${entry.done ? " and [DONE]" : ", no [DONE]"}` : ""}` +
        `, ${Math.round(entry.duration_ms ?? 0)} ms`));
      if (entry.headers && Object.keys(entry.headers).length > 0) {
        parts.push(block("Request headers (as journaled, secrets redacted)",
          Object.entries(entry.headers).map(([n, v]) => `${n}: ${v}`).join("\n")));
      }
      parts.push(block(`Request body${entry.body_truncated ? " (truncated)" : ""}`, pretty(entry.body)));
      if (Array.isArray(entry.near_misses) && entry.near_misses.length > 0) {
        parts.push(block("Near misses", entry.near_misses.join("\n")));
      }
      if (typeof entry.response === "string") {
        parts.push(block(`Response${entry.response_truncated ? " (truncated)" : ""}`,
          entry.stream ? entry.response : pretty(entry.response)));
      }
    }
    this.detailBody.replaceChildren(...parts);
    this.detail.hidden = false;
    this.detailHeading.focus();
  }

  close() {
    if (this.detail.hidden) {
      return;
    }
    this.detail.hidden = true;
    this.detailBody.replaceChildren();
    if (this.opener?.isConnected) {
      this.opener.focus();
    }
  }
}

function shorten(text) {
  return text.length > 90 ? `${text.slice(0, 90)}…` : text;
}

/** The time of day of an ISO time (the detail shows the full time). */
function clock(time) {
  const match = /T(\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?)/.exec(time ?? "");
  return match ? match[1] : time;
}

function pretty(text) {
  if (typeof text !== "string" || text === "") {
    return text ?? "(none)";
  }
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function block(title, text) {
  const wrap = document.createElement("div");
  wrap.className = "detail-block";
  const h = document.createElement("h4");
  h.textContent = title;
  const pre = document.createElement("pre");
  pre.tabIndex = 0;
  pre.textContent = text ?? "";
  wrap.append(h, pre);
  return wrap;
}
