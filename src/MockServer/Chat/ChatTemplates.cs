using System.Text;
using System.Text.Json;

namespace MockServer.Chat;

/// <summary>
/// Chat templates written in code for the families served (no template engine): a conversation becomes the prompt
/// text the model continues, so prompt_tokens counts the template's tokens.
/// </summary>
/// <remarks>
/// The rendered text never starts with a beginning-of-text token: the parser tokenizes it with
/// <c>Tokenizer.TokenizePrompt</c>, which prepends one, as vLLM's tokenizer does for a templated prompt.
/// Tools, assistant tool calls and tool results use one plain form in every family (README, "Chat templates"),
/// close to Hermes/Qwen: the tool list as JSON lines under <c># Tools</c> in the system turn, each call as
/// <c>&lt;tool_call&gt;{"name": …, "arguments": …}&lt;/tool_call&gt;</c>, a result as a turn of role <c>tool</c>.
/// </remarks>
internal static class ChatTemplates
{
    /// <summary>Llama 3 / 3.1 (meta-llama/*-Instruct), without 3.1's dated system preamble.</summary>
    public const string Llama3 = "llama3";

    /// <summary>ChatML (Qwen, Hermes, many fine-tunes).</summary>
    public const string ChatMl = "chatml";

    /// <summary>DeepSeek's plain chat form (deepseek-llm-chat, DeepSeek-V2/V2.5): <c>User: …\n\nAssistant:</c>.</summary>
    public const string DeepSeek = "deepseek";

    /// <summary>DeepSeek's end-of-sentence token, which closes an assistant turn in its template.</summary>
    public const string DeepSeekEndOfSentence = "<｜end▁of▁sentence｜>";

    /// <summary>The families a fixture may name in <c>chat_template</c> (the fixture schema's enum lists the same).</summary>
    public static IReadOnlyList<string> Known { get; } = [ChatMl, DeepSeek, Llama3];

    /// <summary>The prompt for <paramref name="messages"/>, ending where the assistant's reply begins.</summary>
    /// <exception cref="ArgumentException"><paramref name="template"/> is not one of <see cref="Known"/>.</exception>
    public static string Render(string template, IReadOnlyList<ChatMessage> messages, IReadOnlyList<ToolDefinition> tools)
    {
        var turns = WithTools(messages, tools);
        var text = new StringBuilder();
        switch (template)
        {
            case Llama3:
                foreach (var (role, content) in turns)
                {
                    text.Append("<|start_header_id|>").Append(role).Append("<|end_header_id|>\n\n").Append(content).Append("<|eot_id|>");
                }

                return text.Append("<|start_header_id|>assistant<|end_header_id|>\n\n").ToString();

            case ChatMl:
                foreach (var (role, content) in turns)
                {
                    text.Append("<|im_start|>").Append(role).Append('\n').Append(content).Append("<|im_end|>\n");
                }

                return text.Append("<|im_start|>assistant\n").ToString();

            case DeepSeek:
                // As DeepSeek's Jinja template writes it: a system message bare, then "User: …\n\n", "Assistant: …<eos>",
                // and the generation prompt "Assistant:" (no trailing space: the reply's first token brings its own).
                foreach (var (role, content) in turns)
                {
                    var (before, after) = role switch
                    {
                        "system" => ("", "\n\n"),
                        "user" => ("User: ", "\n\n"),
                        "assistant" => ("Assistant: ", DeepSeekEndOfSentence),
                        _ => ("Tool: ", "\n\n"),
                    };
                    text.Append(before).Append(content).Append(after);
                }

                return text.Append("Assistant:").ToString();

            default:
                throw new ArgumentException($"Unknown chat template '{template}'; known: {string.Join(", ", Known)}.", nameof(template));
        }
    }

    /// <summary>
    /// The conversation as (role, text) turns in the plain form every family shares: <c>developer</c> is a system
    /// turn, tool definitions join the first system turn (or open the conversation as one), assistant tool calls
    /// follow the assistant's text.
    /// </summary>
    private static List<(string Role, string Content)> WithTools(IReadOnlyList<ChatMessage> messages, IReadOnlyList<ToolDefinition> tools)
    {
        var turns = new List<(string Role, string Content)>(messages.Count + 1);
        foreach (var message in messages)
        {
            var role = message.Role == "developer" ? "system" : message.Role;
            var content = message.Content ?? "";
            if (message.ToolCalls.Count > 0)
            {
                var calls = new StringBuilder(content);
                foreach (var call in message.ToolCalls)
                {
                    calls.Append(calls.Length == 0 ? "" : "\n").Append("<tool_call>").Append(ToolCallJson(call)).Append("</tool_call>");
                }

                content = calls.ToString();
            }

            turns.Add((role, content));
        }

        if (tools.Count > 0)
        {
            var list = "# Tools\n" + string.Join("\n", tools.Select(ToolJson));
            var system = turns.FindIndex(t => t.Role == "system");
            if (system >= 0)
            {
                turns[system] = ("system", turns[system].Content + "\n\n" + list);
            }
            else
            {
                turns.Insert(0, ("system", list));
            }
        }

        return turns;
    }

    private static string ToolJson(ToolDefinition tool)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("name", tool.Name);
            if (tool.Description is not null)
            {
                w.WriteString("description", tool.Description);
            }

            if (tool.Parameters is { } parameters)
            {
                w.WritePropertyName("parameters");
                parameters.WriteTo(w);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    // The arguments are the JSON text the model wrote; they are embedded as written, not re-parsed.
    private static string ToolCallJson(ToolCallSpec call) =>
        $"{{\"name\": \"{JsonEncodedText.Encode(call.Name)}\", \"arguments\": {call.Arguments}}}";
}
