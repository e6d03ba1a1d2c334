using System.Globalization;
using System.Text.Json;
using MockServer.Catalog;
using MockServer.Dialects;
using MockServer.Errors;
using MockServer.Generation;
using MockServer.Tokenization;
using MockServer.Validation;
using static MockServer.Validation.StrictJson;

namespace MockServer.Chat;

/// <summary>
/// Turns a chat request body into a <see cref="ChatRequest"/> or throws <see cref="ApiErrorException"/>, in three
/// steps: the body's own rules (the same strict readers as completions, then <c>messages</c>, <c>tools</c> and
/// <c>response_format</c>), the model's (it exists, has a chat template, can do what is asked), then the rendered
/// prompt's cost (<see cref="RequestPolicy"/>). Nothing is generated before all three pass.
/// </summary>
internal sealed class ChatRequestParser(ModelCatalog catalog, Tokenizer tokenizer, RequestPolicy policy)
{
    /// <summary>
    /// Tokens generated when the request sets neither <c>max_completion_tokens</c> nor <c>max_tokens</c> (capped by the
    /// room left in the context). OpenAI and vLLM would use all of that room; a mock writing 100k tokens because a
    /// client left the field out helps nobody.
    /// </summary>
    public const int DefaultMaxTokens = 256;

    /// <summary>vLLM's answer to chat on a model whose tokenizer has no chat template (spec-facts §5 notes, §9 Q23).</summary>
    public const string NoChatTemplateMessage =
        "As of transformers v4.44, default chat template is no longer allowed, so you must provide a chat template if the tokenizer does not define one.";

    /// <summary>Reads a body in the dialect of the model it names, else the server's (spec-facts §9).</summary>
    public ChatRequest Parse(JsonElement root) => Parse(root, RequestDialect.ForBody(catalog, root));

    /// <summary>Reads a body in <paramref name="dialect"/>, which the JSON pipeline has settled already (<see cref="RequestDialect.ForModel"/>).</summary>
    public ChatRequest Parse(JsonElement root, Dialect dialect)
    {
        var lax = new LaxValues(dialect);
        var ignoreUnknown = dialect.UnknownParameters == UnknownParameterPolicy.Ignored;
        CheckTopLevel(root, ParameterNames.Chat, ignoreUnknown);

        string? modelId = null;
        List<ChatMessage>? messages = null;
        long? maxTokens = null, maxCompletionTokens = null, n = null, topLogprobs = null;
        bool? stream = null, includeUsage = null, logprobs = null, parallelToolCalls = null;
        bool hasStreamOptions = false, emptyStreamOptions = true;
        IReadOnlyList<string> stop = [];
        List<ToolDefinition> tools = [];
        (ToolChoiceMode Mode, string? Name)? toolChoice = null;
        (ResponseFormatKind Kind, JsonElement? Schema) responseFormat = (ResponseFormatKind.Text, null);

        var sampling = new SamplingFields(lax);
        foreach (var property in root.EnumerateObject())
        {
            var v = property.Value;
            if (ignoreUnknown && !ParameterNames.Chat.Contains(property.Name))
            {
                continue; // read past as vLLM and llama.cpp do (spec-facts §0.3, §9 Q1)
            }

            if (sampling.TryRead(property.Name, v, tokenizer.Vocabulary))
            {
                continue;
            }

            switch (property.Name)
            {
                case "model": modelId = ReadString("model", v); break;
                case "messages": messages = ChatMessageReader.Read(v); break;
                case "user": ReadString("user", v); break;
                case "prompt_cache_key": ReadString("prompt_cache_key", v); break;
                case "max_tokens": maxTokens = ReadInteger("max_tokens", lax.Number(v), 1, int.MaxValue); break;
                case "max_completion_tokens": maxCompletionTokens = ReadInteger("max_completion_tokens", lax.Number(v), 1, int.MaxValue); break;
                case "n": n = ReadInteger("n", lax.Number(v), 1, RequestLimits.MaxChoices); break;
                case "top_logprobs": topLogprobs = ReadInteger("top_logprobs", lax.Number(v), 0, RequestLimits.MaxLogprobs); break;
                case "logprobs": logprobs = ReadBoolean("logprobs", lax.Flag(v)); break; // a boolean in chat, an integer in completions
                case "stream": stream = ReadBoolean("stream", lax.Flag(v)); break;
                case "parallel_tool_calls": parallelToolCalls = ReadBoolean("parallel_tool_calls", lax.Flag(v)); break;
                case "stream_options": (hasStreamOptions, emptyStreamOptions, includeUsage) = ReadStreamOptions(v, dialect); break;
                case "stop": stop = ReadStop(v); break;
                case "tools": tools = ToolReader.ReadTools(v); break;
                case "tool_choice": toolChoice = ToolReader.ReadToolChoice(v); break;
                case "response_format": responseFormat = ResponseFormatReader.Read(v); break;
                default: throw new InvalidOperationException($"Parameter '{property.Name}' is accepted but not handled.");
            }
        }

        if (modelId is null && dialect.ModelRequired)
        {
            throw Fail(ApiError.MissingParameter("model"));
        }

        if (messages is null)
        {
            throw Fail(ApiError.MissingParameter("messages"));
        }

        var streaming = stream == true;
        CheckStreamOptions(hasStreamOptions, streaming, emptyStreamOptions, dialect.StreamOptionsWithoutStream);

        var withLogprobs = logprobs == true;
        if (topLogprobs is not null && !withLogprobs)
        {
            throw Fail(ApiError.InvalidValue("top_logprobs", "'top_logprobs' requires 'logprobs' to be true."));
        }

        var (choiceMode, choiceName) = CheckToolChoice(toolChoice, tools);

        var choices = (int)(n ?? 1);
        var temp = sampling.Temperature;
        if (temp == 0 && choices > 1 && dialect.RefusesGreedyChoices)
        {
            // As completions: greedy sampling gives n copies of one answer (vLLM refuses it, spec-facts §1.2).
            throw Fail(ApiError.InvalidValue("n", $"'n' must be 1 when using greedy sampling (temperature 0), but got {choices}."));
        }

        var model = CompletionRequestParser.ResolveModel(catalog, dialect, modelId, m => (m.ChatTemplate ?? m.Dialect.FallbackChatTemplate) is not null);
        var template = model.ChatTemplate ?? model.Dialect.FallbackChatTemplate; // llama.cpp renders with ChatML (§9 Q23)
        if (template is null)
        {
            throw Fail(new ApiError(400, NoChatTemplateMessage, ApiError.InvalidRequest, null, "chat_template_missing"));
        }

        CheckCapabilities(model, tools, responseFormat.Kind, withLogprobs);

        // The template writes no beginning-of-text: TokenizePrompt adds it, so a conversation gets exactly one.
        var text = ChatTemplates.Render(template, messages, tools);
        var prompt = new PromptInput(text, tokenizer.TokenizePrompt(text));

        var lengthParam = maxCompletionTokens is not null ? "max_completion_tokens" : "max_tokens";
        var max = (int)(maxCompletionTokens ?? maxTokens ?? Math.Max(1, Math.Min(model.MaxModelLen - prompt.Tokens.Count, DefaultMaxTokens)));
        policy.CheckBudget((long)choices * max, RequestPolicy.EntriesPerPosition(withLogprobs ? (int)(topLogprobs ?? 0) : null),
            (choices, max, lengthParam), static s => string.Create(CultureInfo.InvariantCulture, $"{s.choices} choices x {s.max} {s.lengthParam}"), lengthParam);
        RequestPolicy.CheckContextLength(model, prompt.Tokens.Count, max, "messages", lengthParam);

        return new ChatRequest
        {
            Model = model,
            Messages = messages,
            Prompt = prompt,
            MaxTokens = max,
            N = choices,
            Stream = streaming,
            IncludeUsage = includeUsage ?? (hasStreamOptions && dialect.IncludeUsageDefaultInStreamOptions ? true : null), // vLLM: §4.4
            Logprobs = withLogprobs,
            TopLogprobs = (int)(topLogprobs ?? 0),
            Stop = stop,
            Seed = sampling.Seed,
            Sampling = sampling.Build(),
            Tools = tools,
            ToolChoice = choiceMode,
            ToolChoiceName = choiceName,
            ParallelToolCalls = parallelToolCalls ?? true,
            ResponseFormat = responseFormat.Kind,
            ResponseSchema = responseFormat.Schema,
        };
    }

    /// <summary>OpenAI's defaults and rules: <c>auto</c> with tools, <c>none</c> without; only <c>none</c> needs no tools; a named function must be declared.</summary>
    private static (ToolChoiceMode Mode, string? Name) CheckToolChoice((ToolChoiceMode Mode, string? Name)? choice, List<ToolDefinition> tools)
    {
        if (choice is not { } c)
        {
            return (tools.Count > 0 ? ToolChoiceMode.Auto : ToolChoiceMode.None, null);
        }

        if (c.Mode != ToolChoiceMode.None && tools.Count == 0)
        {
            throw Fail(ApiError.InvalidValue("tool_choice", "'tool_choice' is only allowed when 'tools' are specified."));
        }

        if (c.Mode == ToolChoiceMode.Named && !tools.Exists(t => t.Name == c.Name))
        {
            throw Fail(ApiError.InvalidValue("tool_choice",
                $"Invalid 'tool_choice': the function '{Truncate(c.Name!)}' is not among the declared 'tools' ({string.Join(", ", tools.Select(t => t.Name))})."));
        }

        return c;
    }

    private static void CheckCapabilities(ServedModel model, List<ToolDefinition> tools, ResponseFormatKind format, bool logprobs)
    {
        if (tools.Count > 0 && !model.Capabilities.Tools)
        {
            throw Fail(Unsupported(model, "tools", "tool calling"));
        }

        if (format != ResponseFormatKind.Text && !model.Capabilities.ResponseFormat)
        {
            throw Fail(Unsupported(model, "response_format", "structured output ('json_object', 'json_schema')"));
        }

        if (logprobs && !model.Capabilities.Logprobs)
        {
            throw Fail(Unsupported(model, "logprobs", "logprobs"));
        }
    }

    private static ApiError Unsupported(ServedModel model, string param, string what) =>
        new(400, $"The model '{model.Id}' does not support {what}; see its capabilities in /v1/models?metadata=true.", ApiError.InvalidRequest, param, "unsupported_parameter");
}
