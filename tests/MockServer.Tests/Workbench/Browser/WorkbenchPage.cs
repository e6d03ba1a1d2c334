using System.Text.Json;
using MockServer.Hosting;
using MockServer.Journal;
using MockServer.Tests.Workbench.Browser.Driver;
using static MockServer.Tests.Workbench.Browser.Driver.BrowserPage;

namespace MockServer.Tests.Workbench.Browser;

/// <summary>
/// The workbench as a user works it, in the words of the DOM contract (ids <c>#endpoint</c>, <c>#model</c>,
/// <c>f-&lt;wire name&gt;</c>, <c>#send</c>, <c>#output span.tok</c>, <c>#frames li.frame</c>, ...): fill the form, send,
/// read what the page shows. Values are set as typing does (the control's value, then its input and change events), so
/// the page's own listeners run; clicks are the element's click, keys and hovers real input events.
/// </summary>
internal sealed class WorkbenchPage(BrowserPage page, MockLlmServer server)
{
    /// <summary>Every request control of the contract, cleared before a test fills in what it sends.</summary>
    private static readonly string[] Fields =
    [
        "f-max_tokens", "f-temperature", "f-top_p", "f-top_k", "f-min_p", "f-presence_penalty", "f-frequency_penalty",
        "f-repetition_penalty", "f-seed", "f-n", "f-stop", "f-logprobs", "f-top_logprobs", "f-echo", "f-stream", "f-tools",
        "f-x-mock-timing", "f-x-mock-fault",
    ];

    public BrowserPage Browser => page;

    public MockLlmServer Server => server;

    /// <summary>Sets a control by id: a checkbox is checked for "true", anything else gets the text as its value.</summary>
    public Task SetAsync(string id, string value) => SetAsync($"document.getElementById({Js(id)})", value, id);

    /// <summary>Sets the control the script <paramref name="element"/> evaluates to.</summary>
    public async Task SetAsync(string element, string value, string what)
    {
        var done = await page.EvaluateAsync<bool>($$"""
            (() => {
              const el = {{element}};
              if (!el) return false;
              el.focus();
              if (el.type === 'checkbox') el.checked = {{Js(value)}} === 'true'; else el.value = {{Js(value)}};
              el.dispatchEvent(new Event('input', { bubbles: true }));
              el.dispatchEvent(new Event('change', { bubbles: true }));
              return true;
            })()
            """);
        done.Should().BeTrue($"the page must have the control {what}");
    }

    /// <summary>Clicks the first element <paramref name="selector"/> matches.</summary>
    public async Task ClickAsync(string selector)
    {
        var found = await page.EvaluateAsync<bool>($"(() => {{ const el = document.querySelector({Js(selector)}); if (!el) return false; el.focus(); el.click(); return true; }})()");
        found.Should().BeTrue($"the page must have {selector}");
    }

    public async Task<string> TextAsync(string selector) =>
        (await page.EvaluateAsync($"document.querySelector({Js(selector)})?.textContent ?? null")).GetString()
        ?? throw new InvalidOperationException($"the page has no {selector}");

    public async Task<string> BodyTextAsync() => (await page.EvaluateAsync("document.body?.innerText?.slice(0, 1000) ?? ''")).GetString()!;

    public Task<int> CountAsync(string selector) => page.EvaluateAsync<int>($"document.querySelectorAll({Js(selector)}).length");

    /// <summary>
    /// Chooses the endpoint and model, clears every request control, then fills the prompt and the given wire fields
    /// (checkboxes "true"/"false"; a field not named is left empty, so it is left out of the request).
    /// </summary>
    public async Task ComposeAsync(string endpoint, string model, IReadOnlyDictionary<string, string> fields, string? prompt = null)
    {
        await SetAsync("endpoint", endpoint);
        await page.WaitForAsync($"[...document.querySelectorAll('#model option')].some(o => o.value === {Js(model)} && !o.disabled)",
            $"{model} to be offered for {endpoint}");
        await SetAsync("model", model);
        foreach (var id in Fields)
        {
            var value = id is "f-echo" or "f-stream" || (id == "f-logprobs" && endpoint == "chat") ? "false" : "";
            await SetAsync($"document.getElementById({Js(id)})", value, id);
        }

        if (prompt is not null)
        {
            await SetAsync("prompt", prompt);
        }

        foreach (var (name, value) in fields)
        {
            await SetAsync(name.StartsWith('#') ? name[1..] : "f-" + name, value);
        }
    }

    /// <summary>Presses <c>#send</c> and waits until the page's <c>#state</c> is <paramref name="until"/> (done or error).</summary>
    public async Task SendAsync(string until = "done")
    {
        await ClickAsync("#send");
        await page.WaitForAsync($"document.querySelector('#state')?.dataset.state === {Js(until)}", $"#state to read {until}");
    }

    /// <summary>Presses <c>#send</c> without waiting for the answer (a paced stream waits on the test's clock).</summary>
    public Task StartSendAsync() => ClickAsync("#send");

    public Task WaitForTokensAsync(int count) =>
        page.WaitForAsync($"document.querySelectorAll('#output span.tok').length >= {count}", $"{count} token(s) in #output");

    /// <summary>The tokens shown, in order: their text and <c>data-logprob</c> (null when absent).</summary>
    public async Task<IReadOnlyList<(string Text, double? Logprob)>> TokensAsync()
    {
        var tokens = await page.EvaluateAsync("[...document.querySelectorAll('#output span.tok')].map(t => [t.textContent, t.dataset.logprob ?? null])");
        return [.. tokens.EnumerateArray().Select(t => (t[0].GetString()!, t[1].ValueKind == JsonValueKind.Null ? (double?)null : double.Parse(t[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture)))];
    }

    /// <summary>The raw frames <c>#frames</c> lists (<c>li.frame</c>), each the text of one SSE event as received.</summary>
    public async Task<IReadOnlyList<string>> FramesAsync()
    {
        var frames = await page.EvaluateAsync("[...document.querySelectorAll('#frames li.frame')].map(li => li.textContent)");
        return [.. frames.EnumerateArray().Select(f => f.GetString()!)];
    }

    /// <summary>
    /// The <paramref name="nth"/> request (1-based) the page sent to <paramref name="path"/> since the test opened it, as
    /// the journal kept it. An entry lands when the server's handling ends, which can be just after the page has read the
    /// whole answer: this waits for it (with a hang guard) rather than reading the journal at once.
    /// </summary>
    public async Task<JournalEntry> SentAsync(string path = "/v1/completions", int nth = 1)
    {
        var entries = await server.Journal.WaitForAsync(nth, new JournalFilter(Path: path)).WaitAsync(BrowserPage.WaitGuard);
        entries.Should().HaveCount(nth, $"the page sent {nth} request(s) to {path}");
        return entries[nth - 1];
    }

    /// <summary>Fails with what the page reported if it threw, logged an error or hit its Content-Security-Policy.</summary>
    public void ShouldHaveNoProblems() =>
        page.TakeProblems().Should().BeEmpty("the page must run without script errors or CSP violations");
}
