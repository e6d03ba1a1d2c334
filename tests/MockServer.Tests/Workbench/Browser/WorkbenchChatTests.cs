using System.Text.Json;
using System.Text.Json.Nodes;

namespace MockServer.Tests.Workbench.Browser;

/// <summary>Chat in the workbench (issue 11): a conversation written in the page, streamed back token by token.</summary>
[Collection(WorkbenchBrowserDefinition.Name)]
public sealed class WorkbenchChatTests(WorkbenchSession session)
{
    [Fact]
    public async Task A_conversation_is_sent_as_written_and_its_streamed_answer_is_shown_token_by_token()
    {
        var page = await session.OpenAsync(session.Open);
        await page.SetAsync("endpoint", "chat");

        // A base model has no chat template: the page does not offer it for chat.
        await page.Browser.WaitForAsync("[...document.querySelectorAll('#model option')].some(o => o.value === 'llama-8b-instruct' && !o.disabled)",
            "the chat model to be offered");
        (await page.CountAsync("#model option[value='llama-8b']:not([disabled])")).Should().Be(0, "llama-8b serves completions only");

        await page.ComposeAsync("chat", "llama-8b-instruct", new Dictionary<string, string>
        {
            ["max_tokens"] = "8", ["seed"] = "3", ["logprobs"] = "true", ["top_logprobs"] = "2", ["stream"] = "true", ["#show-frames"] = "true",
        });
        (string Role, string Content)[] conversation = [("system", "You answer in one line."), ("user", "Name three colours.")];
        await WriteConversationAsync(page, conversation);

        await page.SendAsync();

        var sent = JsonNode.Parse((await page.SentAsync("/v1/chat/completions")).Body!)!;
        sent["messages"]!.AsArray().Select(m => (m!["role"]!.GetValue<string>(), m["content"]!.GetValue<string>()))
            .Should().Equal(conversation, "the page sends the conversation as written");
        sent["stream"]!.GetValue<bool>().Should().BeTrue();

        var frames = await page.FramesAsync();
        frames[^1].Should().Be("data: [DONE]");
        var choices = frames.SkipLast(1).Select(f => JsonDocument.Parse(f["data: ".Length..]).RootElement)
            .SelectMany(c => c.GetProperty("choices").EnumerateArray()).ToList();
        var positions = choices.Where(c => c.TryGetProperty("logprobs", out var l) && l.ValueKind == JsonValueKind.Object)
            .SelectMany(c => c.GetProperty("logprobs").GetProperty("content").EnumerateArray())
            .Select(p => (p.GetProperty("token").GetString()!, (double?)p.GetProperty("logprob").GetDouble())).ToList();
        var content = string.Concat(choices.Select(c => c.GetProperty("delta").TryGetProperty("content", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : ""));

        positions.Should().NotBeEmpty();
        var tokens = await page.TokensAsync();
        tokens.Should().Equal(positions, "one token shown per position the stream sent, with its logprob");
        string.Concat(tokens.Select(t => t.Text)).Should().Be(content, "the shown answer is the streamed content");
        (await page.TextAsync("#finish")).Trim().Should().Be(choices.Select(c => c.GetProperty("finish_reason")).Single(f => f.ValueKind == JsonValueKind.String).GetString());
        page.ShouldHaveNoProblems();
    }

    /// <summary>Makes <c>#messages</c> hold exactly these rows (adding with <c>#add-message</c>), each role and content set as typed.</summary>
    [Fact]
    public async Task Chat_without_the_logprobs_box_sends_no_top_logprobs_and_is_answered()
    {
        var page = await session.OpenAsync(session.Open);
        await page.ComposeAsync("chat", "llama-8b-instruct", new Dictionary<string, string> { ["max_tokens"] = "4", ["top_logprobs"] = "2" });
        await WriteConversationAsync(page, [("user", "Hi.")]);

        // Chat refuses top_logprobs without logprobs=true: a value left in the field must not turn a send into a 400.
        await page.SendAsync();

        var sent = JsonNode.Parse((await page.SentAsync("/v1/chat/completions")).Body!)!.AsObject();
        sent.ContainsKey("top_logprobs").Should().BeFalse("the logprobs box is unchecked");
        page.ShouldHaveNoProblems();
    }

    private static async Task WriteConversationAsync(WorkbenchPage page, (string Role, string Content)[] conversation)
    {
        const string Rows = "[...document.querySelectorAll('#messages .msg-role')].map(s => s.closest('#messages > *'))";
        while (await page.Browser.EvaluateAsync<int>($"{Rows}.length") < conversation.Length)
        {
            await page.ClickAsync("#add-message");
        }

        // Rows beyond the conversation: the contract names no remove control, so a row's own button whose text says
        // remove is used, else the row is taken out of the list the page reads at send time.
        while (await page.Browser.EvaluateAsync<int>($"{Rows}.length") > conversation.Length)
        {
            await page.Browser.EvaluateAsync($$"""
                (() => { const row = {{Rows}}.at(-1); const remove = [...row.querySelectorAll('button')].find(b => /remove/i.test(b.textContent));
                         if (remove) remove.click(); else row.remove(); })()
                """);
        }

        for (var i = 0; i < conversation.Length; i++)
        {
            await page.SetAsync($"{Rows}[{i}].querySelector('select.msg-role')", conversation[i].Role, $"messages[{i}] role");
            await page.SetAsync($"{Rows}[{i}].querySelector('textarea.msg-content')", conversation[i].Content, $"messages[{i}] content");
        }

        (await page.Browser.EvaluateAsync<string[]>($"{Rows}.map(r => r.querySelector('textarea.msg-content').value)"))
            .Should().Equal(conversation.Select(m => m.Content));
    }
}
