// The workbench page: builds a completions or chat request from the form, sends it through the mock's real /v1
// routes, and shows the answer as it arrives (tokens, logprobs, raw frames, finish reasons, usage, errors).
// Keys typed into the page live in the password inputs and in the Authorization header of the page's own requests;
// they are never written into the page's text, into storage, or into a snippet.

import { SseParser } from "./sse.js";
import { Output, LogprobView } from "./render.js";
import { curlSnippet, pythonSnippet, dotnetSnippet, PATHS } from "./snippets.js";
import { KeysPanel, JournalPanel } from "./admin.js";

const $ = id => document.getElementById(id);

// The wire fields in the order the body is written; each has one control, id f-<name>.
const NUMBER_FIELDS = ["max_tokens", "temperature", "top_p", "top_k", "min_p", "presence_penalty",
  "frequency_penalty", "repetition_penalty", "seed", "n"];
const ROLES = ["system", "user", "assistant", "developer", "tool"];

const ui = {
  endpoint: $("endpoint"),
  model: $("model"),
  modelInfo: $("model-info"),
  v1Key: $("v1-key"),
  adminKey: $("admin-key"),
  form: $("request-form"),
  prompt: $("prompt"),
  messages: $("messages"),
  send: $("send"),
  stop: $("stop-request"),
  state: $("state"),
  error: $("error"),
  notes: $("notes"),
  finish: $("finish"),
  usage: $("usage"),
  frames: $("frames"),
  showFrames: $("show-frames"),
  frameCount: $("frame-count"),
  logprobs: $("f-logprobs"),
  logprobsLabel: $("f-logprobs-label"),
  stream: $("f-stream"),
  includeUsage: $("f-include_usage"),
};

const view = new LogprobView($("logprob-view"));
const output = new Output($("output"), view);
const keys = new KeysPanel(() => ui.adminKey.value);
const journal = new JournalPanel(() => ui.adminKey.value);

let models = [];          // the cards of /v1/models?metadata=true
let running = null;       // the AbortController of the request in flight
let modelsNeedKey = false; // the last /v1/models answered 401

// ---- models -------------------------------------------------------------------------------------------------

function v1Headers() {
  return ui.v1Key.value ? { Authorization: `Bearer ${ui.v1Key.value}` } : {};
}

let modelsLoad = null; // the AbortController of the newest /v1/models request: only its answer applies

async function loadModels({ focusKeyOn401 = true } = {}) {
  // Calls overlap (start-up, key typed, Enter): an older, slower answer must not overwrite a newer one.
  modelsLoad?.abort();
  const controller = new AbortController();
  modelsLoad = controller;
  ui.modelInfo.textContent = "Loading models…";
  let response;
  let list;
  try {
    response = await fetch("/v1/models?metadata=true", { headers: v1Headers(), signal: controller.signal });
    if (response.ok) {
      try {
        list = await response.json();
      } catch (error) {
        if (controller.signal.aborted) {
          return;
        }
        ui.modelInfo.textContent = `GET /v1/models answered ${response.status} with a body that is not JSON: ${error.message}`;
        return;
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) {
      ui.modelInfo.textContent = `Could not reach the mock: ${error.message}`;
    }
    return;
  }
  if (controller !== modelsLoad) {
    return;
  }
  modelsNeedKey = response.status === 401;
  if (response.status === 401) {
    models = [];
    fillModels();
    ui.modelInfo.textContent = "An API key is needed to list the models: type it in \"API key (/v1)\" and press Enter.";
    if (focusKeyOn401) {
      ui.v1Key.focus();
    }
    return;
  }
  if (!response.ok) {
    ui.modelInfo.textContent = `GET /v1/models answered ${response.status}.`;
    return;
  }
  models = Array.isArray(list?.data) ? list.data : [];
  fillModels();
}

function servesEndpoint(card, endpoint) {
  const endpoints = card.metadata?.endpoints;
  return !Array.isArray(endpoints) || endpoints.includes(endpoint); // no metadata (e.g. a recording): offer it
}

/** The model list for the chosen endpoint only, keeping the chosen model when it still fits. */
function fillModels() {
  const endpoint = ui.endpoint.value;
  const previous = ui.model.value;
  const fitting = models.filter(m => servesEndpoint(m, endpoint));
  ui.model.replaceChildren(...fitting.map(m => {
    const option = document.createElement("option");
    option.value = m.id;
    option.textContent = m.metadata?.dialect ? `${m.id} (${m.metadata.dialect})` : m.id;
    return option;
  }));
  if (fitting.length === 0) {
    // An empty select reads as broken: say why there is nothing to choose (the request then has no model).
    const none = new Option(modelsNeedKey ? "(type the API key to list the models)" : `(no model serves ${endpoint})`, "");
    none.disabled = true;
    none.selected = true;
    ui.model.append(none);
  }
  if (fitting.some(m => m.id === previous)) {
    ui.model.value = previous;
  }
  showModelInfo();
  updateSnippets();
}

function showModelInfo() {
  const card = models.find(m => m.id === ui.model.value);
  if (!card) {
    ui.modelInfo.textContent = models.length === 0 ? "No models loaded." : `No model serves ${ui.endpoint.value}.`;
    return;
  }
  const meta = card.metadata;
  if (!meta) {
    ui.modelInfo.textContent = `${card.id}: no metadata.`;
    return;
  }
  const yes = b => (b ? "yes" : "no");
  const caps = meta.capabilities ?? {};
  ui.modelInfo.textContent = `Dialect ${meta.dialect} · endpoints ${(meta.endpoints ?? []).join(", ")} · ` +
    `tools ${yes(caps.tools)} · response_format ${yes(caps.response_format)} · logprobs ${yes(caps.logprobs)} · ` +
    `context ${meta.context_length} · template ${meta.chat_template ?? "none (base model)"}`;
}

// ---- the form -------------------------------------------------------------------------------------------------

function applyEndpoint() {
  const endpoint = ui.endpoint.value;
  for (const part of document.querySelectorAll(".endpoint-part")) {
    part.hidden = part.dataset.endpoint !== endpoint;
  }
  // logprobs is a number (0..20) on completions and a boolean on chat: one control whose type follows the endpoint.
  // top_logprobs is chat's (completions refuse it): filled for chat while the user has not typed one.
  const top = $("f-top_logprobs");
  if (endpoint === "chat" && top.value === "") {
    top.value = "3";
    top.dataset.auto = "true";
  } else if (endpoint === "completions" && top.dataset.auto === "true") {
    top.value = "";
  }
  if (endpoint === "chat") {
    ui.logprobs.type = "checkbox";
    ui.logprobsLabel.textContent = "logprobs";
    ui.logprobs.closest(".field").classList.add("check");
  } else {
    ui.logprobs.type = "number";
    ui.logprobsLabel.textContent = "logprobs (0–20)";
    ui.logprobs.closest(".field").classList.remove("check");
  }
  fillModels();
}

let messageIds = 0; // ids for the rows' label/control pairs (crypto.randomUUID needs a secure context)

function addMessage(role = "user", content = "") {
  messageIds++;
  const row = document.createElement("div");
  row.className = "message";
  const roleId = `msg-role-${messageIds}`;
  const contentId = `msg-content-${messageIds}`;
  const roleLabel = document.createElement("label");
  roleLabel.htmlFor = roleId;
  roleLabel.className = "msg-role-label";
  const select = document.createElement("select");
  select.id = roleId;
  select.className = "msg-role";
  select.append(...ROLES.map(r => new Option(r, r)));
  select.value = role;
  const contentLabel = document.createElement("label");
  contentLabel.htmlFor = contentId;
  contentLabel.className = "msg-content-label";
  const textarea = document.createElement("textarea");
  textarea.id = contentId;
  textarea.className = "msg-content";
  textarea.rows = 2;
  textarea.value = content;
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "msg-remove";
  remove.addEventListener("click", () => {
    const next = row.nextElementSibling ?? row.previousElementSibling;
    row.remove();
    numberMessages();
    updateSnippets();
    (next?.querySelector("textarea") ?? $("add-message")).focus();
  });
  row.append(roleLabel, select, contentLabel, textarea, remove);
  ui.messages.append(row);
  numberMessages();
  return row;
}

/** Labels say which message a control belongs to (messages[i], as the server's error param names it). */
function numberMessages() {
  [...ui.messages.children].forEach((row, i) => {
    row.dataset.index = String(i);
    row.querySelector(".msg-role-label").textContent = `messages[${i}] role`;
    row.querySelector(".msg-content-label").textContent = `messages[${i}] content`;
    row.querySelector(".msg-remove").textContent = `Remove message ${i}`;
  });
}

/** What the controls say, as { body, bodyText, headers } or { problem: { control, message } } for a local mistake. */
function buildRequest() {
  const endpoint = ui.endpoint.value;
  const body = {};
  if (ui.model.value) {
    body.model = ui.model.value;
  }
  if (endpoint === "completions") {
    if (ui.prompt.value !== "") {
      body.prompt = ui.prompt.value;
    }
  } else {
    body.messages = [...ui.messages.children].map(row => {
      const message = { role: row.querySelector(".msg-role").value };
      const content = row.querySelector(".msg-content").value;
      if (content !== "") {
        message.content = content;
      }
      return message;
    });
    for (const name of ["tools", "response_format"]) {
      const text = $(`f-${name}`).value.trim();
      if (text !== "") {
        try {
          body[name] = JSON.parse(text);
        } catch (error) {
          return { problem: { control: $(`f-${name}`), param: name, message: `${name} is not valid JSON: ${error.message}` } };
        }
      }
    }
    const choice = $("f-tool_choice").value.trim();
    if (choice !== "") {
      body.tool_choice = objectOrText(choice);
    }
  }
  // A number input holding text the browser cannot parse ("12e", "-") reports value "": say so instead of
  // silently leaving the field out of the request.
  for (const name of [...NUMBER_FIELDS, "logprobs", "top_logprobs"]) {
    const control = $(`f-${name}`);
    if (control.type === "number" && control.validity.badInput) {
      return { problem: { control, param: name, message: `${name} is not a number.` } };
    }
  }
  for (const name of NUMBER_FIELDS) {
    const value = $(`f-${name}`).value.trim();
    if (value !== "") {
      body[name] = Number(value);
    }
  }
  const stop = $("f-stop").value;
  if (stop !== "") {
    body.stop = stopValue(stop);
  }
  if (endpoint === "chat") {
    if (ui.logprobs.checked) {
      body.logprobs = true;
    }
  } else if (ui.logprobs.value.trim() !== "") {
    body.logprobs = Number(ui.logprobs.value.trim());
  }
  // Chat refuses top_logprobs without logprobs=true (400), and the field is pre-filled for chat: send it only
  // alongside a checked logprobs box.
  const top = $("f-top_logprobs").value.trim();
  if (top !== "" && (endpoint !== "chat" || ui.logprobs.checked)) {
    body.top_logprobs = Number(top);
  }
  if (endpoint === "completions" && $("f-echo").checked) {
    body.echo = true;
  }
  if (ui.stream.checked) {
    body.stream = true;
    if (ui.includeUsage.checked) {
      body.stream_options = { include_usage: true };
    }
  }
  const headers = {};
  for (const [id, name] of [["f-x-mock-timing", "X-Mock-Timing"], ["f-x-mock-fault", "X-Mock-Fault"]]) {
    const value = $(id).value.trim();
    if (value !== "") {
      headers[name] = value;
    }
  }
  return { endpoint, body, bodyText: JSON.stringify(body, null, 2), headers };
}

/** A stop field holding a JSON array of strings is that array; anything else is one stop string. */
function stopValue(text) {
  return parsedIf(text, "[", Array.isArray);
}

/** tool_choice: a JSON object ({"type": "function", ...}) or a word (auto, none, required). */
function objectOrText(text) {
  return parsedIf(text, "{", v => v !== null && typeof v === "object");
}

function parsedIf(text, opening, fits) {
  if (text.trimStart().startsWith(opening)) {
    try {
      const value = JSON.parse(text);
      if (fits(value)) {
        return value;
      }
    } catch {
      // not JSON: the text itself is the value
    }
  }
  return text;
}

function updateSnippets() {
  const request = buildRequest();
  ui.includeUsage.disabled = !ui.stream.checked;
  if (request.problem) {
    return; // keep the last good snippets while the tools JSON is being typed
  }
  const full = { ...request, origin: location.origin, auth: ui.v1Key.value !== "" };
  $("snippet-curl").textContent = curlSnippet(full);
  $("snippet-python").textContent = pythonSnippet(full);
  $("snippet-dotnet").textContent = dotnetSnippet(full);
}

// ---- state and errors -----------------------------------------------------------------------------------------

function setState(state, text) {
  ui.state.dataset.state = state;
  ui.state.textContent = text;
}

function note(text, kind = "info") {
  const p = document.createElement("p");
  p.className = `note ${kind}`;
  p.textContent = text;
  ui.notes.append(p);
}

function clearInvalid() {
  for (const el of ui.form.querySelectorAll("[aria-invalid='true'], .invalid")) {
    el.removeAttribute("aria-invalid");
    el.classList.remove("invalid");
  }
}

/** The control an error's param names: f-<param>, #prompt, #model, #messages (and the message's own control). */
function controlsFor(param) {
  if (typeof param !== "string" || param === "") {
    return [];
  }
  if (param === "prompt" || param === "model") {
    return [$(param)];
  }
  const message = /^messages(?:\[(\d+)\](?:\.(\w+))?)?/.exec(param);
  if (message) {
    const found = [ui.messages];
    const row = message[1] === undefined ? null : ui.messages.children[Number(message[1])];
    if (row) {
      found.push(row.querySelector(message[2] === "role" ? ".msg-role" : ".msg-content"));
    }
    return found;
  }
  const lower = param.toLowerCase();
  if (lower.startsWith("x-mock-")) {
    return [$(`f-${lower}`)].filter(Boolean);
  }
  if (lower.startsWith("stream_options")) {
    return [ui.includeUsage];
  }
  const exact = $(`f-${param}`);
  if (exact) {
    return [exact];
  }
  const base = $(`f-${param.split(/[.[]/)[0]}`);
  return base ? [base] : [];
}

/** Shows an error envelope in #error and marks (and focuses) the control its param names. */
function showError(status, envelope, where = "") {
  // A server may send {"error":"text"} (or any non-object): show it as the message rather than nothing.
  const raw = envelope?.error;
  const e = raw !== null && typeof raw === "object" ? raw : raw === undefined ? {} : { message: String(raw) };
  const rows = [
    ["status", `${status}${where}`],
    ["type", e.type],
    ["code", e.code],
    ["message", e.message],
    ["param", e.param],
  ];
  const heading = document.createElement("strong");
  heading.textContent = "The request failed";
  const list = document.createElement("dl");
  for (const [name, value] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    dd.textContent = value === undefined || value === null ? "null" : String(value);
    list.append(dt, dd);
  }
  ui.error.replaceChildren(heading, list);
  ui.error.hidden = false;
  // llama.cpp's envelope has no param key (spec-facts §12): the field its message quotes first stands in for it.
  const named = "param" in e ? e.param : /'([A-Za-z_][\w.[\]-]*)'/.exec(e.message ?? "")?.[1];
  const controls = controlsFor(named);
  for (const control of controls) {
    control.setAttribute("aria-invalid", "true");
    control.classList.add("invalid");
  }
  const target = controls.at(-1);
  if (target) {
    target.focus();
  } else if (status === 401) {
    ui.v1Key.focus();
  }
}

// ---- sending --------------------------------------------------------------------------------------------------

function resetAnswer() {
  clearInvalid();
  ui.error.hidden = true;
  ui.error.replaceChildren();
  ui.notes.replaceChildren();
  ui.frames.replaceChildren();
  ui.frameCount.textContent = "";
  output.clear();
  ui.finish.textContent = "–";
  ui.usage.textContent = "–";
}

async function send() {
  if (running) {
    return;
  }
  resetAnswer();
  const request = buildRequest();
  if (request.problem) {
    const { control, param, message } = request.problem;
    showError("not sent", { error: { type: "client", code: null, message, param } });
    control.focus();
    setState("error", "Error: the request was not sent, see above.");
    return;
  }
  updateSnippets();
  const controller = new AbortController();
  running = controller;
  // #send stays focusable while a request runs (a disabled button would drop the keyboard user's focus); a second
  // press is ignored above.
  ui.send.setAttribute("aria-disabled", "true");
  ui.stop.disabled = false;
  setState("streaming", request.body.stream ? "Streaming: waiting for the first frame…" : "Waiting for the answer…");
  const started = performance.now();
  const run = new Run(started);
  try {
    const response = await fetch(PATHS[request.endpoint], {
      method: "POST",
      headers: { "Content-Type": "application/json", ...v1Headers(), ...request.headers },
      body: request.bodyText,
      signal: controller.signal,
    });
    const fault = response.headers.get("X-Mock-Fault-Applied");
    if (fault) {
      note(`Fault applied by the mock: ${fault} (X-Mock-Fault-Applied).`, "warn");
    }
    const type = response.headers.get("Content-Type") ?? "";
    if (!response.ok) {
      const text = await response.text();
      let envelope = null;
      try {
        envelope = JSON.parse(text);
      } catch {
        envelope = { error: { message: text || "(empty body)" } };
      }
      showError(response.status, envelope);
      setState("error", `Error: HTTP ${response.status}${envelope?.error?.code ? ` (${envelope.error.code})` : ""}.`);
    } else if (type.includes("text/event-stream")) {
      await run.readStream(response, controller);
    } else {
      const text = await response.text();
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        note(`The answer is not JSON (${type || "no content type"}): ${text.slice(0, 200)}`, "warn");
        setState("error", "Error: the answer is not JSON.");
        return;
      }
      try {
        run.renderWhole(request.endpoint, body);
      } catch (error) {
        note(`The answer could not be shown (malformed body: ${error.message}): ${text.slice(0, 200)}`, "warn");
        setState("error", "Error: the answer is malformed.");
        return;
      }
      setState("done", `Done: one JSON body in ${Math.round(performance.now() - started)} ms.`);
    }
  } catch (error) {
    if (controller.signal.aborted) {
      note(`Stopped by you after ${run.frames} frame${run.frames === 1 ? "" : "s"}.`, "warn");
      setState("done", "Done: stopped.");
    } else {
      controller.abort(); // whatever failed, do not leave the response body streaming into nothing
      note(`The connection broke after ${run.frames} frame${run.frames === 1 ? "" : "s"}: ${error.message}`, "warn");
      setState("error", "Error: the connection broke.");
    }
  } finally {
    running = null;
    ui.send.removeAttribute("aria-disabled");
    if (document.activeElement === ui.stop) {
      ui.send.focus(); // Stop is about to be disabled: keep the focus on the form
    }
    ui.stop.disabled = true;
    keys.refreshIfShown();
    journal.refreshIfShown();
  }
}

/** One request's answer: frames counted and timed from the send, choices' finish reasons, the usage. */
class Run {
  constructor(started) {
    this.started = started;
    this.frames = 0;
    this.done = false;
    this.finishes = new Map();
    this.sawError = false;
    this.endpoint = ui.endpoint.value;
  }

  ms() {
    return Math.round(performance.now() - this.started);
  }

  async readStream(response, controller) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser(event => this.frame(event), comment => this.comment(comment));
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      parser.push(decoder.decode(value, { stream: true }));
    }
    parser.push(decoder.decode());
    const leftover = parser.end();
    if (leftover) {
      this.addFrameLine(leftover, "frame partial");
      note("The stream ended in the middle of a frame (no blank line after it).", "warn");
    }
    if (!this.done && !controller.signal.aborted) {
      note(`The stream ended early: no data: [DONE] after ${this.frames} frame${this.frames === 1 ? "" : "s"}.`, "warn");
    }
    if (this.sawError) {
      setState("error", `Error in the stream after ${this.frames} frames.`);
    } else {
      setState("done", `Done: ${this.frames} frame${this.frames === 1 ? "" : "s"} in ${this.ms()} ms${this.done ? "" : " (no [DONE])"}.`);
    }
  }

  addFrameLine(text, className) {
    const li = document.createElement("li");
    li.className = className;
    li.dataset.ms = String(this.ms());
    li.textContent = text;
    ui.frames.append(li);
    return li;
  }

  comment(text) {
    this.addFrameLine(text, "comment");
  }

  /** One frame, guarded: a malformed frame is a note about that frame, not a broken connection. */
  frame(event) {
    try {
      this.frameUnguarded(event);
    } catch (error) {
      note(`Frame ${this.frames} could not be shown (malformed chunk: ${error.message}): ${String(event.data).slice(0, 80)}`, "warn");
    }
  }

  frameUnguarded(event) {
    this.frames++;
    const li = this.addFrameLine(event.raw, "frame");
    if (event.data === "[DONE]") {
      this.done = true;
      return;
    }
    // #state is a live region: change its text only on transitions (the first frame), never per frame, or a
    // screen reader reads every frame. The running count goes to #frame-count, which is not live.
    if (this.frames === 1) {
      setState("streaming", `Streaming: first frame after ${this.ms()} ms.`);
    }
    ui.frameCount.textContent = `${this.frames} frame${this.frames === 1 ? "" : "s"} received.`;
    let chunk;
    try {
      chunk = JSON.parse(event.data);
    } catch {
      li.classList.add("bad");
      note(`Frame ${this.frames} is not JSON: ${event.data.slice(0, 80)}`, "warn");
      return;
    }
    if (chunk !== null && typeof chunk === "object" && "error" in chunk && chunk.error) {
      this.sawError = true;
      li.classList.add("bad");
      showError(200, chunk, `, in the stream at frame ${this.frames}`);
      return;
    }
    this.chunk(chunk);
  }

  chunk(chunk) {
    if (chunk === null || typeof chunk !== "object") {
      throw new Error(`a chunk must be a JSON object, got ${chunk === null ? "null" : typeof chunk}`);
    }
    for (const choice of Array.isArray(chunk.choices) ? chunk.choices : []) {
      if (choice === null || typeof choice !== "object") {
        throw new Error(`a choice must be a JSON object, got ${choice === null ? "null" : typeof choice}`);
      }
      const index = choice.index ?? 0;
      if (this.endpoint === "chat") {
        const delta = choice.delta ?? {};
        output.append(index, delta.content ?? "", choice.logprobs);
        for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
          output.toolCall(index, call);
        }
      } else {
        output.append(index, choice.text ?? "", choice.logprobs);
      }
      if (choice.finish_reason) {
        this.finishes.set(index, choice.finish_reason);
      }
    }
    this.showFinish();
    if (chunk.usage) {
      ui.usage.textContent = JSON.stringify(chunk.usage, null, 2);
    }
  }

  renderWhole(endpoint, body) {
    if (body === null || typeof body !== "object") {
      throw new Error("the body is not a JSON object");
    }
    const li = document.createElement("li");
    li.className = "body";
    li.dataset.ms = String(this.ms());
    li.textContent = "(not streamed: one JSON body)";
    ui.frames.append(li);
    for (const choice of Array.isArray(body.choices) ? body.choices : []) {
      if (choice === null || typeof choice !== "object") {
        throw new Error("a choice is not a JSON object");
      }
      const index = choice.index ?? 0;
      if (endpoint === "chat") {
        const message = choice.message ?? {};
        output.append(index, message.content ?? "", choice.logprobs);
        (Array.isArray(message.tool_calls) ? message.tool_calls : []).forEach((call, i) => output.toolCall(index, { index: i, ...call }));
      } else {
        output.append(index, choice.text ?? "", choice.logprobs);
      }
      if (choice.finish_reason) {
        this.finishes.set(index, choice.finish_reason);
      }
    }
    this.showFinish();
    if (body.usage) {
      ui.usage.textContent = JSON.stringify(body.usage, null, 2);
    }
  }

  showFinish() {
    if (this.finishes.size === 0) {
      return;
    }
    ui.finish.textContent = [...this.finishes.entries()].sort((a, b) => a[0] - b[0])
      .map(([i, reason]) => (this.finishes.size === 1 && i === 0 ? reason : `choice ${i}: ${reason}`)).join(", ");
  }
}

// ---- copy -----------------------------------------------------------------------------------------------------

async function copy(button) {
  const code = $(button.dataset.target);
  const status = $("copy-status");
  try {
    await navigator.clipboard.writeText(code.textContent);
    status.textContent = `${button.textContent.replace("Copy ", "")} snippet copied.`;
  } catch {
    // No clipboard (an http page on another host is not a secure context): select the text for Ctrl+C instead.
    const range = document.createRange();
    range.selectNodeContents(code);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    status.textContent = "The clipboard is not available here: the snippet is selected, press Ctrl+C (⌘C) to copy it.";
  }
}

// ---- wiring ---------------------------------------------------------------------------------------------------

function wire() {
  ui.endpoint.addEventListener("change", applyEndpoint);
  ui.model.addEventListener("change", () => {
    showModelInfo();
    updateSnippets();
  });
  $("reload-models").addEventListener("click", () => loadModels());
  ui.v1Key.addEventListener("keydown", e => {
    if (e.key === "Enter") {
      e.preventDefault();
      loadModels({ focusKeyOn401: false });
    }
  });
  ui.v1Key.addEventListener("change", () => {
    if (models.length === 0) {
      loadModels({ focusKeyOn401: false });
    }
  });
  ui.v1Key.addEventListener("input", updateSnippets);
  ui.adminKey.addEventListener("keydown", e => {
    if (e.key === "Enter") {
      e.preventDefault();
      keys.load();
      journal.load();
    }
  });
  ui.adminKey.addEventListener("change", () => {
    keys.load();
    journal.load();
  });
  ui.form.addEventListener("input", e => {
    if (e.target.id === "f-top_logprobs") {
      delete e.target.dataset.auto;
    }
    updateSnippets();
  });
  ui.form.addEventListener("change", updateSnippets);
  $("keys-form").addEventListener("submit", e => e.preventDefault()); // Enter in a key field is handled above
  ui.form.addEventListener("submit", e => {
    e.preventDefault();
    send();
  });
  ui.form.addEventListener("keydown", e => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target instanceof HTMLTextAreaElement) {
      e.preventDefault();
      send();
    }
  });
  ui.stop.addEventListener("click", () => running?.abort());
  $("add-message").addEventListener("click", () => {
    addMessage("user", "");
    ui.messages.lastElementChild.querySelector("textarea").focus();
    updateSnippets();
  });
  ui.showFrames.addEventListener("change", () => {
    ui.frames.hidden = !ui.showFrames.checked;
  });
  for (const button of document.querySelectorAll("button.copy")) {
    button.addEventListener("click", () => copy(button));
  }
  document.addEventListener("keydown", e => {
    if (e.key === "Escape" && !$("logprob-view").hidden && !$("journal-detail").contains(document.activeElement)) {
      view.hide();
    }
  });
}

function start() {
  addMessage("system", "You are a helpful assistant.");
  addMessage("user", "Say hello.");
  ui.frames.hidden = !ui.showFrames.checked;
  ui.logprobs.checked = true; // chat's default when the endpoint is switched: logprobs on
  wire();
  applyEndpoint();
  loadModels();
  keys.load();
  journal.load();
}

start();
