-- wrk script for bench/run.sh. Environment:
--   BENCH_SCENARIO = completion16 (non-streaming, max_tokens 16) | stream80 (SSE, 80 tokens + usage + [DONE])
--                    | chat80 (chat SSE, openai dialect: role chunk, 80 content deltas, finish chunk, usage, [DONE];
--                      POST it to /v1/chat/completions)
--   BENCH_CHAT_PROMPT_TOKENS = the chat80 conversation's prompt_tokens (run.sh reads it from the mock's answer)
--   BENCH_VERIFY   = 1 to check every response (status, frame count, usage); costs client CPU, so it is only used
--                    in the short verification runs, never in the measured ones.
-- done() prints one line "BENCH_JSON {...}" with the counts and latency percentiles (microseconds).

local scenario = os.getenv("BENCH_SCENARIO") or "completion16"
local verify = os.getenv("BENCH_VERIFY") == "1"
local chat_prompt = tonumber(os.getenv("BENCH_CHAT_PROMPT_TOKENS") or "0")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if scenario == "stream80" then
  wrk.body = '{"model":"llama-8b","prompt":"Five reasons to learn Rust:\\n1.","max_tokens":80,"stream":true,"stream_options":{"include_usage":true}}'
elseif scenario == "chat80" then
  wrk.body = '{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Give me five reasons to learn Rust."}],"max_tokens":80,"stream":true,"stream_options":{"include_usage":true}}'
elseif scenario == "completion16" then
  wrk.body = '{"model":"llama-8b","prompt":"Five reasons to learn Rust:\\n1.","max_tokens":16}'
else
  error("unknown BENCH_SCENARIO " .. scenario)
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

if verify then
  checked = 0
  bad = 0
  events = 0
  content = 0
  first_bad = ""

  local function fail(status, why)
    bad = bad + 1
    if first_bad == "" then
      first_bad = "status " .. status .. ": " .. why
    end
  end

  function response(status, headers, body)
    checked = checked + 1
    if status ~= 200 then
      return fail(status, "not 200")
    end
    if scenario == "stream80" then
      -- Every SSE event is "data: <payload>\n\n"; the body must be exactly 80 content events, one usage event, [DONE].
      local n, c = 0, 0
      for payload in body:gmatch("data: ([^\n]*)\n\n") do
        n = n + 1
        if payload:find('"text":', 1, true) then
          c = c + 1
        end
      end
      events = events + n
      content = content + c
      if n ~= 82 or c ~= 80 then
        return fail(status, n .. " events, " .. c .. " content frames")
      end
      if body:sub(-14) ~= "data: [DONE]\n\n" then
        return fail(status, "does not end with data: [DONE]")
      end
      if not body:find('"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":80,"total_tokens":89}', 1, true) then
        return fail(status, "usage chunk missing or wrong")
      end
    elseif scenario == "chat80" then
      -- 84 events: the role chunk, 80 content deltas, the finish chunk (delta {}), the usage chunk, [DONE].
      local n, c = 0, 0
      for payload in body:gmatch("data: ([^\n]*)\n\n") do
        n = n + 1
        if payload:find('"delta":{"content":', 1, true) then
          c = c + 1
        end
      end
      events = events + n
      content = content + c
      if n ~= 84 or c ~= 80 then
        return fail(status, n .. " events, " .. c .. " content deltas")
      end
      if not body:find('^data: {[^\n]*"delta":{"role":"assistant","content":""}') then
        return fail(status, "the first chunk is not the role chunk")
      end
      if not body:find('"delta":{},"logprobs":null,"finish_reason":"length"}],"usage":null}', 1, true) then
        return fail(status, "finish chunk missing or wrong")
      end
      if body:sub(-14) ~= "data: [DONE]\n\n" then
        return fail(status, "does not end with data: [DONE]")
      end
      if not body:find('"choices":[],"usage":{"prompt_tokens":' .. chat_prompt .. ',"completion_tokens":80,"total_tokens":' .. (chat_prompt + 80) .. '}}', 1, true) then
        return fail(status, "usage chunk missing or wrong")
      end
    else
      if not body:find('"finish_reason":"length"', 1, true) or not body:find('"completion_tokens":16,', 1, true) then
        return fail(status, "not a 16-token completion")
      end
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local out = string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max)
  if verify then
    local tc, tb, te, tcontent, fb = 0, 0, 0, 0, ""
    for _, t in ipairs(threads) do
      tc = tc + t:get("checked")
      tb = tb + t:get("bad")
      te = te + t:get("events")
      tcontent = tcontent + t:get("content")
      if fb == "" then
        fb = t:get("first_bad")
      end
    end
    out = out .. string.format(',"verify":{"checked":%d,"bad":%d,"events":%d,"content_frames":%d,"first_bad":"%s"}',
      tc, tb, te, tcontent, fb:gsub('"', "'"))
  end
  io.write("BENCH_JSON " .. out .. "}\n")
end
