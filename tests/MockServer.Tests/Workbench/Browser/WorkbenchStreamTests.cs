using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MockServer.Tests.TestUtils;
using static MockServer.Tests.Workbench.Browser.Driver.BrowserPage;

namespace MockServer.Tests.Workbench.Browser;

/// <summary>
/// A streamed completion in the workbench (issue 11): the tokens appear one by one as the mock sends them (paced by the
/// test's fake clock, so "one by one" is a fact, not a race), the raw frames are exactly what an HTTP client gets for
/// the same request, finish_reason and usage are the stream's, and each token's logprob view shows the frames' numbers.
/// </summary>
[Collection(WorkbenchBrowserDefinition.Name)]
public sealed partial class WorkbenchStreamTests(WorkbenchSession session)
{
    private const string Prompt = "Five reasons to learn Rust:\n1.";
    private const int Tokens = 6;
    private const string Pacing = "itl_ms=1000";
    private static readonly TimeSpan TokenDelay = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_paced_stream_shows_its_tokens_one_by_one_and_the_frames_an_http_client_gets()
    {
        var page = await session.OpenAsync(session.Open);
        await page.ComposeAsync("completions", "llama-8b", new Dictionary<string, string>
        {
            ["max_tokens"] = $"{Tokens}", ["seed"] = "7", ["logprobs"] = "3", ["stream"] = "true", ["include_usage"] = "true",
            ["x-mock-timing"] = Pacing, ["#show-frames"] = "true",
        }, Prompt);

        await page.StartSendAsync();

        // Token k is due k inter-token delays after the first, on the fake clock: the page shows k + 1 tokens, no more,
        // until the test moves the clock on while the server waits for the next one.
        for (var shown = 1; shown <= Tokens; shown++)
        {
            await page.WaitForTokensAsync(shown);
            if (shown < Tokens)
            {
                await session.Clock.WaitForPendingAsync(1).WaitAsync(WaitGuard);
                (await page.CountAsync("#output span.tok")).Should().Be(shown, "the next token is not due until the clock moves");
                (await page.Browser.EvaluateAsync<string>("document.querySelector('#state').dataset.state")).Should().Be("streaming");
                session.Clock.Advance(TokenDelay);
            }
        }

        await page.Browser.WaitForAsync("document.querySelector('#state').dataset.state === 'done'", "#state to read done");
        var frames = await page.FramesAsync();
        var tokens = await page.TokensAsync();
        var sent = await page.SentAsync();

        // The same request from an HTTP client, on a server reset to the same state (ids restart from the seed).
        await session.Open.ResetAsync();
        var http = await StreamOverHttpAsync(sent.Body!);

        frames.Select(WithoutCreated).Should().Equal(http.Select(WithoutCreated), "#frames lists each frame exactly as an HTTP client receives it");
        var chunks = frames.SkipLast(1).Select(f => JsonDocument.Parse(f["data: ".Length..]).RootElement).ToList();
        frames[^1].Should().Be("data: [DONE]");

        var choices = chunks.SelectMany(c => c.GetProperty("choices").EnumerateArray()).ToList();
        var logprobs = choices.Where(c => c.GetProperty("logprobs").ValueKind == JsonValueKind.Object).Select(c => c.GetProperty("logprobs")).ToList();
        var expected = logprobs.SelectMany(l => l.GetProperty("tokens").EnumerateArray().Zip(l.GetProperty("token_logprobs").EnumerateArray()))
            .Select(p => (p.First.GetString()!, (double?)p.Second.GetDouble())).ToList();
        expected.Should().HaveCount(Tokens);
        tokens.Should().Equal(expected, "each token is shown with the logprob its frame carried");
        string.Concat(tokens.Select(t => t.Text)).Should().Be(string.Concat(choices.Select(c => c.GetProperty("text").GetString())));

        var finish = choices.Select(c => c.GetProperty("finish_reason")).Where(f => f.ValueKind == JsonValueKind.String).Should().ContainSingle().Subject;
        (await page.TextAsync("#finish")).Trim().Should().Be(finish.GetString());
        var usage = chunks.Select(c => c.GetProperty("usage")).Where(u => u.ValueKind == JsonValueKind.Object).Should().ContainSingle().Subject;
        var shownUsage = JsonDocument.Parse(await page.TextAsync("#usage")).RootElement;
        foreach (var field in (string[])["prompt_tokens", "completion_tokens", "total_tokens"])
        {
            shownUsage.GetProperty(field).GetInt64().Should().Be(usage.GetProperty(field).GetInt64(), field);
        }

        page.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task Focusing_or_hovering_a_token_shows_its_logprob_and_alternatives_and_escape_closes_it()
    {
        var page = await session.OpenAsync(session.Open);
        await page.ComposeAsync("completions", "llama-8b", new Dictionary<string, string>
        {
            ["max_tokens"] = "5", ["seed"] = "11", ["logprobs"] = "4", ["stream"] = "true", ["#show-frames"] = "true",
        }, Prompt);
        await page.SendAsync();
        var positions = Positions(await page.FramesAsync());
        positions.Should().HaveCount(5);
        (await page.Browser.EvaluateAsync<bool>("document.querySelector('#logprob-view').hidden")).Should().BeTrue("nothing is focused or hovered yet");

        // Keyboard: the first token focused, then Tab moves to the next one, which opens its view.
        await page.Browser.EvaluateAsync("document.querySelector('#output span.tok').focus()");
        await page.Browser.PressAsync("Tab");
        (await page.Browser.EvaluateAsync<int>("[...document.querySelectorAll('#output span.tok')].indexOf(document.activeElement)"))
            .Should().Be(1, "Tab moves from one token to the next");
        await ShouldShowAsync(page, positions[1]);
        await session.ScreenshotAsync("stream-logprobs", "#request", "#answer");

        await page.Browser.PressAsync("Escape");
        await page.Browser.WaitForAsync("document.querySelector('#logprob-view').hidden", "Escape to close #logprob-view");

        // Mouse: hovering another token shows that token's numbers.
        await page.Browser.HoverAsync("#output span.tok:nth-of-type(4)");
        await ShouldShowAsync(page, positions[3]);
        await page.Browser.PressAsync("Escape");
        await page.Browser.WaitForAsync("document.querySelector('#logprob-view').hidden", "Escape to close #logprob-view");
        await page.Browser.MouseAwayAsync();
        page.ShouldHaveNoProblems();
    }

    /// <summary>The view shows the token, its logprob and one <c>.alt</c> row per alternative with its logprob and a bar exp(logprob) wide.</summary>
    private static async Task ShouldShowAsync(WorkbenchPage page, Position expected)
    {
        await page.Browser.WaitForAsync("!document.querySelector('#logprob-view').hidden && document.querySelectorAll('#logprob-view .alt').length > 0",
            "#logprob-view to open with its alternatives");
        var view = await page.Browser.EvaluateAsync("""
            (() => {
              const v = document.querySelector('#logprob-view');
              const bar = row => [...row.querySelectorAll('*')].map(e => e.style.width).find(w => w && w.endsWith('%')) ?? null;
              return { text: v.textContent, alts: [...v.querySelectorAll('.alt')].map(r => ({ text: r.textContent, bar: bar(r) })) };
            })()
            """);
        var text = view.GetProperty("text").GetString()!;
        ShowsToken(text, expected.Token).Should().BeTrue($"the view names the token {JsonSerializer.Serialize(expected.Token)}: {text}");
        ShowsNumber(text, expected.Logprob).Should().BeTrue($"the view shows the token's logprob {expected.Logprob}: {text}");

        var alts = view.GetProperty("alts").EnumerateArray().Select(a => (Text: a.GetProperty("text").GetString()!, Bar: a.GetProperty("bar").GetString())).ToList();
        alts.Should().HaveCount(expected.Alternatives.Count, "one row per alternative the frame listed");
        foreach (var (token, logprob) in expected.Alternatives)
        {
            var row = alts.Where(a => ShowsToken(a.Text, token) && ShowsNumber(a.Text, logprob)).ToList();
            row.Should().NotBeEmpty($"an .alt row shows {JsonSerializer.Serialize(token)} at {logprob}: {string.Join(" | ", alts.Select(a => a.Text))}");
            row.Should().Contain(a => a.Bar != null && Math.Abs(Percent(a.Bar) - (Math.Exp(logprob) * 100)) < 0.01,
                "the bar's width is the alternative's probability, exp(logprob)");
        }
    }

    private async Task<IReadOnlyList<string>> StreamOverHttpAsync(string body)
    {
        using var client = new HttpClient { BaseAddress = session.Open.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Mock-Timing", Pacing);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var read = response.Content.ReadAsStringAsync();

        // The same pacing: each advance lands on the server's armed delay.
        while (await Task.WhenAny(session.Clock.WaitForPendingAsync(1), read) != read)
        {
            session.Clock.Advance(TokenDelay);
        }

        return (await read).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// <c>created</c> is the fake clock's time when a request arrives, and the HTTP copy arrives after the page's stream
    /// moved the clock on; every other byte of a seeded request's frames is the same.
    /// </summary>
    private static string WithoutCreated(string frame) => CreatedField().Replace(frame, "\"created\":0");

    private static List<Position> Positions(IReadOnlyList<string> frames) =>
    [
        .. frames.Where(f => f != "data: [DONE]")
            .Select(f => JsonDocument.Parse(f["data: ".Length..]).RootElement)
            .SelectMany(c => c.GetProperty("choices").EnumerateArray())
            .Where(c => c.GetProperty("logprobs").ValueKind == JsonValueKind.Object)
            .SelectMany(c =>
            {
                var l = c.GetProperty("logprobs");
                return l.GetProperty("tokens").EnumerateArray().Select((t, i) => new Position(
                    t.GetString()!,
                    l.GetProperty("token_logprobs")[i].GetDouble(),
                    [.. l.GetProperty("top_logprobs")[i].EnumerateObject().Select(p => (p.Name, p.Value.GetDouble()))]));
            }),
    ];

    /// <summary>A token shown as itself or JSON-quoted (whitespace made visible).</summary>
    private static bool ShowsToken(string text, string token) =>
        text.Contains(token, StringComparison.Ordinal) || text.Contains(JsonSerializer.Serialize(token)[1..^1], StringComparison.Ordinal);

    /// <summary>A logprob shown to at least 3 decimals (rounded as the page likes).</summary>
    private static bool ShowsNumber(string text, double value) =>
        NumberPattern().Matches(text).Select(m => double.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture))
            .Any(shown => Math.Abs(shown - value) <= 0.0005);

    private static double Percent(string width) => double.Parse(width.TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("\"created\":\\d+")]
    private static partial Regex CreatedField();

    [GeneratedRegex(@"-?\d+\.\d{3,}")]
    private static partial Regex NumberPattern();

    private sealed record Position(string Token, double Logprob, IReadOnlyList<(string Token, double Logprob)> Alternatives);
}
