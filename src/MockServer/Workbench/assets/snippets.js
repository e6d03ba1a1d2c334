// The current request as code a user can paste: curl, Python (openai SDK) and .NET (OpenAI 2.x SDK for chat,
// HttpClient for completions). Pure functions of the request the page sends, so what is shown is what was sent.
// A key is never written here: every snippet reads OPENAI_API_KEY from the environment.

// The keyword arguments the openai Python SDK's create() methods take; any other body field goes in extra_body
// (top_k, min_p, repetition_penalty, and completions' top_logprobs are vLLM's, not OpenAI's).
const PYTHON_PARAMS = {
  completions: new Set(["model", "prompt", "best_of", "echo", "frequency_penalty", "logit_bias", "logprobs",
    "max_tokens", "n", "presence_penalty", "seed", "stop", "stream", "stream_options", "suffix", "temperature",
    "top_p", "user"]),
  chat: new Set(["model", "messages", "audio", "frequency_penalty", "logit_bias", "logprobs", "max_completion_tokens",
    "max_tokens", "metadata", "modalities", "n", "parallel_tool_calls", "prediction", "presence_penalty",
    "reasoning_effort", "response_format", "seed", "service_tier", "stop", "store", "stream", "stream_options",
    "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user"]),
};

export const PATHS = { completions: "/v1/completions", chat: "/v1/chat/completions" };

/** A shell word in single quotes (a quote inside becomes '\''). */
export function shellQuote(text) {
  return "'" + text.replaceAll("'", "'\\''") + "'";
}

/**
 * @param {{endpoint: string, bodyText: string, body: object, headers: Record<string,string>, origin: string,
 *          auth: boolean}} request the exact body text sent, its parsed form, the extra headers (X-Mock-*), where
 *          the page is served, and whether a /v1 key is in use (without one, .NET falls back to a dummy key).
 */
export function curlSnippet(request) {
  const lines = [`curl -sS${request.body.stream ? "N" : ""} ${shellQuote(request.origin + PATHS[request.endpoint])}`,
    `-H 'Content-Type: application/json'`];
  // Always sent: a mock without keys ignores it, and the same command then works against a keyed one.
  lines.push(`-H "Authorization: Bearer $OPENAI_API_KEY"`);
  for (const [name, value] of Object.entries(request.headers)) {
    lines.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  }
  lines.push(`-d ${shellQuote(request.bodyText)}`);
  return lines.join(" \\\n  ");
}

/** A JSON value as a Python literal (JSON's strings and numbers are Python's; true/false/null are not). */
export function pythonLiteral(value, indent = "") {
  if (value === null) {
    return "None";
  }
  if (value === true) {
    return "True";
  }
  if (value === false) {
    return "False";
  }
  if (typeof value !== "object") {
    return JSON.stringify(value);
  }
  const inner = indent + "    ";
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return "[]";
    }
    return "[\n" + value.map(v => inner + pythonLiteral(v, inner)).join(",\n") + ",\n" + indent + "]";
  }
  const entries = Object.entries(value);
  if (entries.length === 0) {
    return "{}";
  }
  return "{\n" + entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${pythonLiteral(v, inner)}`).join(",\n") + ",\n" + indent + "}";
}

export function pythonSnippet(request) {
  const known = PYTHON_PARAMS[request.endpoint];
  const args = [];
  const extra = {};
  for (const [name, value] of Object.entries(request.body)) {
    if (known.has(name)) {
      args.push(`    ${name}=${pythonLiteral(value, "    ")},`);
    } else {
      extra[name] = value;
    }
  }
  if (Object.keys(extra).length > 0) {
    args.push(`    extra_body=${pythonLiteral(extra, "    ")},`);
  }
  if (Object.keys(request.headers).length > 0) {
    args.push(`    extra_headers=${pythonLiteral(request.headers, "    ")},`);
  }
  // The SDK needs some key: with a mock that has none, any value of OPENAI_API_KEY does.
  const key = `os.environ["OPENAI_API_KEY"]`;
  const method = request.endpoint === "chat" ? "client.chat.completions.create" : "client.completions.create";
  const lines = [
    "import os",
    "from openai import OpenAI",
    "",
    `client = OpenAI(base_url=${JSON.stringify(request.origin + "/v1")}, api_key=${key})`,
    "",
    `${request.body.stream ? "stream" : "response"} = ${method}(`,
    ...args,
    ")",
  ];
  if (request.body.stream) {
    const text = request.endpoint === "chat" ? "choice.delta.content or \"\"" : "choice.text";
    lines.push("for chunk in stream:", "    for choice in chunk.choices:", `        print(${text}, end="", flush=True)`,
      "    if chunk.usage:", "        print(\"\\n\", chunk.usage)", "print()");
  } else {
    lines.push("print(response.model_dump_json(indent=2))");
  }
  return lines.join("\n");
}

/** A C# raw string literal holding text verbatim: more quotes around it than the longest run of quotes inside. */
export function csharpRawString(text) {
  const longest = Math.max(0, ...Array.from(text.matchAll(/"+/g), m => m[0].length));
  const quotes = '"'.repeat(Math.max(3, longest + 1));
  return `${quotes}\n${text}\n${quotes}`;
}

function csharpString(text) {
  return JSON.stringify(text); // a JSON string is a valid C# regular string literal for these values
}

export function dotnetSnippet(request) {
  const stream = Boolean(request.body.stream);
  const key = `Environment.GetEnvironmentVariable("OPENAI_API_KEY")${request.auth ? "" : " ?? \"unused\""}`;
  const readStream = [
    "while (await reader.ReadLineAsync() is { } line)",
    "{",
    "    if (line.StartsWith(\"data: \", StringComparison.Ordinal))",
    "    {",
    "        Console.WriteLine(line[\"data: \".Length..]);",
    "    }",
    "}",
  ];
  if (request.endpoint === "chat") {
    const lines = [
      "// dotnet add package OpenAI (2.x). The protocol method sends this JSON exactly as written,",
      "// fields the typed ChatCompletionOptions lack (top_k, min_p, ...) included.",
      "using System.ClientModel;",
      "using System.ClientModel.Primitives;",
      "using OpenAI;",
      "using OpenAI.Chat;",
      "",
      "ChatClient client = new(",
      `    model: ${csharpString(String(request.body.model ?? ""))},`,
      `    credential: new ApiKeyCredential(${key}),`,
      `    options: new OpenAIClientOptions { Endpoint = new Uri(${csharpString(request.origin + "/v1")}) });`,
      "",
      `string json = ${csharpRawString(request.bodyText)};`,
      `RequestOptions request = new()${stream ? " { BufferResponse = false }" : ""};`,
      ...Object.entries(request.headers).map(([n, v]) => `request.AddHeader(${csharpString(n)}, ${csharpString(v)});`),
      "ClientResult result = await client.CompleteChatAsync(BinaryContent.Create(BinaryData.FromString(json)), request);",
    ];
    if (stream) {
      lines.push("using StreamReader reader = new(result.GetRawResponse().ContentStream!);", ...readStream);
    } else {
      lines.push("Console.WriteLine(result.GetRawResponse().Content.ToString());");
    }
    return lines.join("\n");
  }
  const lines = [
    "// The OpenAI .NET SDK's legacy completions client is internal: plain HttpClient.",
    "using System.Net.Http.Headers;",
    "using System.Text;",
    "",
    `using HttpClient http = new() { BaseAddress = new Uri(${csharpString(request.origin + "/v1/")}) };`,
  ];
  lines.push(`http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ${key});`);
  lines.push(
    "",
    `string json = ${csharpRawString(request.bodyText)};`,
    "using HttpRequestMessage message = new(HttpMethod.Post, \"completions\")",
    "{",
    "    Content = new StringContent(json, Encoding.UTF8, \"application/json\"),",
    "};",
    ...Object.entries(request.headers).map(([n, v]) => `message.Headers.Add(${csharpString(n)}, ${csharpString(v)});`),
    "using HttpResponseMessage response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);",
  );
  if (stream) {
    lines.push("using StreamReader reader = new(await response.Content.ReadAsStreamAsync());", ...readStream);
  } else {
    lines.push("Console.WriteLine(await response.Content.ReadAsStringAsync());");
  }
  return lines.join("\n");
}
