// The answer as tokens: one focusable span per token, per choice, with the logprobs each position came with, and
// the view that shows them as bars. The same code renders a stream (chunk by chunk) and a whole answer.

const detailOf = new WeakMap(); // span.tok → { token, logprob, top: [{ token, logprob }] }

/**
 * A choice's logprobs as one list of positions, whatever the dialect sends (spec-facts §3): OpenAI's legacy
 * completions shape ({tokens, token_logprobs, top_logprobs: [{token: logprob}]}) or chat's, which llama.cpp also
 * uses for completions ({content: [{token, logprob, top_logprobs: [{token, logprob}]}]}). Null when there are none.
 */
export function positions(logprobs) {
  if (!logprobs || typeof logprobs !== "object") {
    return null;
  }
  if (Array.isArray(logprobs.content)) {
    return logprobs.content.map(p => ({
      token: String(p.token ?? ""),
      logprob: typeof p.logprob === "number" ? p.logprob : null,
      top: Array.isArray(p.top_logprobs) ? p.top_logprobs.map(t => ({ token: String(t.token ?? ""), logprob: t.logprob })) : [],
    }));
  }
  if (Array.isArray(logprobs.tokens)) {
    return logprobs.tokens.map((token, i) => {
      const top = logprobs.top_logprobs?.[i];
      return {
        token: String(token),
        logprob: typeof logprobs.token_logprobs?.[i] === "number" ? logprobs.token_logprobs[i] : null,
        top: top && typeof top === "object" ? Object.entries(top).map(([t, lp]) => ({ token: t, logprob: lp })) : [],
      };
    });
  }
  return null;
}

/** The output area: choices created as their index first appears, kept in index order. */
export class Output {
  constructor(root, view) {
    this.root = root;
    this.view = view;
    this.choices = new Map();
    this.count = 0;
    root.addEventListener("mouseover", e => this.showFor(e.target));
    root.addEventListener("focusin", e => this.showFor(e.target));
  }

  clear() {
    this.root.replaceChildren();
    this.choices.clear();
    this.count = 0;
    this.view.hide();
  }

  choice(index) {
    let entry = this.choices.get(index);
    if (entry) {
      return entry;
    }
    const box = document.createElement("div");
    box.className = "choice";
    box.dataset.index = String(index);
    const heading = document.createElement("h4");
    heading.textContent = `Choice ${index}`;
    const text = document.createElement("p");
    text.className = "choice-text";
    box.append(heading, text);
    const after = [...this.choices.keys()].filter(i => i > index).sort((a, b) => a - b)[0];
    this.root.insertBefore(box, after === undefined ? null : this.choices.get(after).box);
    entry = { box, text, tools: new Map() };
    this.choices.set(index, entry);
    return entry;
  }

  /** Appends a piece of text: one span per logprobs position when there are positions, else one span for the piece. */
  append(index, text, logprobs) {
    const list = positions(logprobs);
    const target = this.choice(index).text;
    if (list && list.length > 0) {
      for (const p of list) {
        target.append(this.span(p.token, p));
      }
      return;
    }
    if (text) {
      target.append(this.span(text, null));
    }
  }

  span(text, detail) {
    const span = document.createElement("span");
    span.className = "tok";
    span.tabIndex = 0;
    span.textContent = text;
    this.count++;
    if (detail) {
      if (detail.logprob !== null) {
        span.dataset.logprob = String(detail.logprob);
      }
      detailOf.set(span, detail);
    }
    return span;
  }

  /** A tool call delta (chat): its name once, then its arguments piece by piece, as text. */
  toolCall(index, call) {
    const entry = this.choice(index);
    const key = call.index ?? 0;
    let pre = entry.tools.get(key);
    if (!pre) {
      pre = document.createElement("pre");
      pre.className = "tool-call";
      entry.box.append(pre);
      entry.tools.set(key, pre);
    }
    if (call.function?.name) {
      pre.append(`tool_calls[${key}] ${call.function.name}${call.id ? ` (${call.id})` : ""}: `);
    }
    if (call.function?.arguments) {
      pre.append(this.span(call.function.arguments, null));
    }
  }

  showFor(target) {
    if (target instanceof HTMLElement && target.classList.contains("tok")) {
      this.view.show(target.textContent, detailOf.get(target) ?? null);
    }
  }
}

/** Whitespace made visible, so a token of one space or a newline can be read in the view. */
function visible(token) {
  return JSON.stringify(token);
}

function format(logprob) {
  return typeof logprob === "number" ? logprob.toFixed(4) : "n/a";
}

function percent(logprob) {
  return typeof logprob === "number" ? Math.exp(logprob) * 100 : 0;
}

/** #logprob-view: the chosen token and its alternatives as bars (width = exp(logprob)), with the numbers as text. */
export class LogprobView {
  constructor(root) {
    this.root = root;
  }

  hide() {
    this.root.hidden = true;
    this.root.replaceChildren();
  }

  show(text, detail) {
    const heading = document.createElement("h3");
    heading.textContent = "Token " + visible(text);
    const rows = [heading];
    if (!detail) {
      const p = document.createElement("p");
      p.textContent = "No logprobs for this token: ask for them with logprobs (and top_logprobs for chat).";
      rows.push(p);
    } else {
      rows.push(this.row("chosen", detail.token, detail.logprob));
      if (detail.top.length > 0) {
        const sub = document.createElement("h4");
        sub.textContent = "Top alternatives";
        rows.push(sub);
        for (const alt of detail.top) {
          rows.push(this.row(alt.token === detail.token ? "alt is-chosen" : "alt", alt.token, alt.logprob));
        }
      }
    }
    this.root.replaceChildren(...rows);
    this.root.hidden = false;
  }

  row(kind, token, logprob) {
    const row = document.createElement("div");
    row.className = `lp-row ${kind}`;
    const name = document.createElement("span");
    name.className = "lp-token";
    name.textContent = visible(token);
    const numbers = document.createElement("span");
    numbers.className = "lp-number";
    const p = percent(logprob);
    numbers.textContent = `${format(logprob)} (${p.toFixed(p < 1 ? 2 : 1)}%)`;
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.setAttribute("aria-hidden", "true");
    const fill = document.createElement("span");
    fill.className = "bar-fill";
    fill.style.width = `${Math.min(100, p)}%`;
    bar.append(fill);
    row.append(name, bar, numbers);
    const label = document.createElement("span");
    label.className = "lp-kind";
    label.textContent = kind === "chosen" ? "chosen" : "";
    row.prepend(label);
    return row;
  }
}
