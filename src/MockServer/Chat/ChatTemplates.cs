namespace MockServer.Chat;

/// <summary>
/// Chat templates written in code for the families served (no template engine): a conversation becomes the prompt
/// text the model continues, so prompt_tokens counts the template's tokens.
/// </summary>
internal static class ChatTemplates
{
    // CONTRACT STUB (lead): ChatML only; the catalog/fixtures work adds the families and their exact text.
    public static IReadOnlyList<string> Known { get; } = ["chatml"];

    public static string Render(string template, IReadOnlyList<ChatMessage> messages, IReadOnlyList<ToolDefinition> tools)
    {
        var text = new System.Text.StringBuilder();
        foreach (var message in messages)
        {
            text.Append("<|im_start|>").Append(message.Role).Append('\n').Append(message.Content).Append("<|im_end|>\n");
        }

        return text.Append("<|im_start|>assistant\n").ToString();
    }
}
