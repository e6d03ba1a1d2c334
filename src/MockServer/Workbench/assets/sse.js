// An incremental Server-Sent Events reader (WHATWG HTML §9.2.6, "Interpreting an event stream"), kept apart from the
// page so it can be read (and checked) on its own. Bytes arrive in chunks that split anywhere: inside a UTF-8
// sequence, inside a line, between the CR and LF of a CRLF. The page wants each event as the client got it: the
// `data:` line(s) verbatim (for the raw frames list) and the joined data (to parse as JSON).

/** Feeds text pieces; calls onEvent({ raw, data }) per dispatched event and onComment(text) per `:` line. */
export class SseParser {
  constructor(onEvent, onComment = () => {}) {
    this.onEvent = onEvent;
    this.onComment = onComment;
    this.pending = "";        // text after the last complete line
    this.skipLf = false;      // the previous piece ended in CR: an LF starting the next piece belongs to it
    this.dataLines = [];      // the `data` values of the event being read
    this.rawLines = [];       // the event's `data` lines as received
  }

  /** Takes the next piece of decoded text (use TextDecoder with { stream: true } so no character is cut). */
  push(text) {
    if (text === "") {
      return; // a decoder holding half a character gives "": it must not forget a pending CR
    }
    if (this.skipLf && text.startsWith("\n")) {
      text = text.slice(1);
    }
    this.skipLf = false;
    let buffer = this.pending + text;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) {
        continue;
      }
      this.line(buffer.slice(start, i));
      if (c === 13) {
        if (i + 1 === buffer.length) {
          this.skipLf = true; // a CRLF may be split between pieces
        } else if (buffer.charCodeAt(i + 1) === 10) {
          i++;
        }
      }
      start = i + 1;
    }
    this.pending = buffer.slice(start);
  }

  /**
   * The stream ended. An event not closed by a blank line is not dispatched (as EventSource does), but it is
   * returned, with any unfinished line, so the page can show what a broken stream left behind.
   */
  end() {
    const leftover = [...this.rawLines];
    if (this.pending !== "") {
      leftover.push(this.pending);
    }
    this.pending = "";
    this.dataLines = [];
    this.rawLines = [];
    return leftover.join("\n");
  }

  line(line) {
    if (line === "") {
      if (this.rawLines.length > 0) {
        const event = { raw: this.rawLines.join("\n"), data: this.dataLines.join("\n") };
        this.dataLines = [];
        this.rawLines = [];
        this.onEvent(event);
      }
      return;
    }
    if (line.startsWith(":")) {
      this.onComment(line);
      return;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    if (field !== "data") {
      return; // event, id and retry mean nothing to an OpenAI-style stream
    }
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) {
      value = value.slice(1);
    }
    this.dataLines.push(value);
    this.rawLines.push(line);
  }
}
