using System.Text.Json;
using System.Text.Json.Nodes;

namespace MockServer.Tests.Workbench.Browser.Driver;

/// <summary>
/// One tab: navigate, run script and read its value, press keys and move the mouse as a user does (real input events,
/// so focus and hover behave as in a browser), take screenshots. Waits poll the DOM in the page (a mutation observer,
/// with a short interval for state that is not a mutation) until a condition holds; a generous guard ends a wait that
/// would hang, with what the page showed then. No wait is a sleep and none asserts a duration.
/// </summary>
internal sealed class BrowserPage(CdpConnection connection, string session)
{
    /// <summary>A hang guard, not a measure: every condition here holds within a second or two on a loaded 2-core machine.</summary>
    public static readonly TimeSpan WaitGuard = TimeSpan.FromSeconds(45);

    private readonly List<string> _problems = [];

    /// <summary>
    /// Script exceptions, console errors and browser-reported errors (a Content-Security-Policy violation among them)
    /// since the last <see cref="TakeProblems"/>: a page that works but throws, or whose CSP blocks one of its own
    /// files, shows up here.
    /// </summary>
    public IReadOnlyList<string> TakeProblems()
    {
        lock (_problems)
        {
            while (connection.HandlerFailures.TryDequeue(out var failure))
            {
                _problems.Add("event listener threw: " + failure);
            }

            var problems = _problems.ToList();
            _problems.Clear();
            return problems;
        }
    }

    internal async Task InitializeAsync(int width, int height)
    {
        connection.On("Runtime.exceptionThrown", session, e => Problem("exception: " + e.GetProperty("exceptionDetails").GetRawText()));
        connection.On("Runtime.consoleAPICalled", session, e =>
        {
            if (e.GetProperty("type").GetString() is "error" or "assert")
            {
                Problem("console." + e.GetProperty("type").GetString() + ": " + e.GetProperty("args").GetRawText());
            }
        });
        connection.On("Log.entryAdded", session, e =>
        {
            var entry = e.GetProperty("entry");

            // A failed resource load ("the server responded with a status of 400") is the network's report of an answer
            // the page handles (a 400 is a scenario here); everything else at error level is a problem.
            if (entry.GetProperty("level").GetString() == "error" && entry.GetProperty("source").GetString() != "network")
            {
                Problem("log: " + entry.GetProperty("text").GetString());
            }
        });
        await SendAsync("Page.enable");
        await SendAsync("Runtime.enable");
        await SendAsync("Log.enable");
        await SendAsync("Emulation.setDeviceMetricsOverride",
            new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false });

        // A screenshot beyond the viewport grows the viewport to the page, which drops the scrollbar and so reflows the
        // page wider than the rectangles measured for the clip; with no scrollbar ever, the width never changes.
        await SendAsync("Emulation.setScrollbarsHidden", new JsonObject { ["hidden"] = true });
    }

    /// <summary>Loads <paramref name="url"/> and returns once its load event fired (module scripts have run by then).</summary>
    public async Task NavigateAsync(Uri url)
    {
        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (connection.On("Page.loadEventFired", session, _ => loaded.TrySetResult()))
        {
            var answer = await SendAsync("Page.navigate", new JsonObject { ["url"] = url.AbsoluteUri });
            if (answer.TryGetProperty("errorText", out var error))
            {
                throw new InvalidOperationException($"chromium could not load {url}: {error.GetString()}");
            }

            await loaded.Task.WaitAsync(WaitGuard);
        }
    }

    /// <summary>Runs <paramref name="expression"/> (awaiting a promise) and returns its value as JSON.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var answer = await SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression,
            ["awaitPromise"] = true,
            ["returnByValue"] = true,
            ["userGesture"] = true,
        });
        if (answer.TryGetProperty("exceptionDetails", out var failure))
        {
            throw new InvalidOperationException($"script failed: {expression}\n{failure.GetRawText()}");
        }

        var result = answer.GetProperty("result");
        return result.TryGetProperty("value", out var value) ? value : default;
    }

    public async Task<T> EvaluateAsync<T>(string expression) => (await EvaluateAsync(expression)).Deserialize<T>()!;

    /// <summary>
    /// Waits until the script <paramref name="condition"/> (an expression) is truthy and returns its value. On the guard
    /// the failure names <paramref name="what"/> and shows the page's state and problems.
    /// </summary>
    public async Task<JsonElement> WaitForAsync(string condition, string what)
    {
        var guardMs = (long)WaitGuard.TotalMilliseconds;
        var script = $$"""
            new Promise(resolve => {
              let done = false, observer, timer, guard;
              const finish = value => { if (done) return; done = true; observer.disconnect(); clearInterval(timer); clearTimeout(guard); resolve(value); };
              const check = () => { let v; try { v = ({{condition}}); } catch (e) { v = undefined; } if (v) finish({ met: true, value: v }); };
              observer = new MutationObserver(check);
              observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
              timer = setInterval(check, 50);
              guard = setTimeout(() => finish({ met: false }), {{guardMs}});
              check();
            })
            """;
        var outcome = await EvaluateAsync(script);
        if (!outcome.GetProperty("met").GetBoolean())
        {
            throw new TimeoutException($"waited {WaitGuard.TotalSeconds} s for {what} ({condition}); the page showed: {await DescribeAsync()}; problems: {string.Join(" | ", TakeProblems())}");
        }

        return outcome.GetProperty("value");
    }

    /// <summary>Presses and releases a key that types no text (Tab, Escape, Enter, arrows), as the keyboard does.</summary>
    public async Task PressAsync(string key, bool shift = false)
    {
        var (code, keyCode) = key switch
        {
            "Tab" => ("Tab", 9),
            "Enter" => ("Enter", 13),
            "Escape" => ("Escape", 27),
            "ArrowLeft" => ("ArrowLeft", 37),
            "ArrowRight" => ("ArrowRight", 39),
            _ => throw new ArgumentOutOfRangeException(nameof(key), key, "not a key this driver knows"),
        };
        var modifiers = shift ? 8 : 0;
        foreach (var type in (string[])["rawKeyDown", "keyUp"])
        {
            var parameters = new JsonObject
            {
                ["type"] = type,
                ["key"] = key,
                ["code"] = code,
                ["windowsVirtualKeyCode"] = keyCode,
                ["nativeVirtualKeyCode"] = keyCode,
                ["modifiers"] = modifiers,
            };
            if (type == "rawKeyDown" && key == "Enter")
            {
                parameters["type"] = "keyDown";
                parameters["text"] = "\r";
            }

            await SendAsync("Input.dispatchKeyEvent", parameters);
        }
    }

    /// <summary>Moves the mouse over the centre of the first element <paramref name="selector"/> matches (scrolled into view).</summary>
    public async Task HoverAsync(string selector)
    {
        var point = await EvaluateAsync($$"""
            (() => { const el = document.querySelector({{Js(selector)}}); el.scrollIntoView({ block: 'center' });
                     const r = el.getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; })()
            """);
        await SendAsync("Input.dispatchMouseEvent", new JsonObject
        {
            ["type"] = "mouseMoved",
            ["x"] = point.GetProperty("x").GetDouble(),
            ["y"] = point.GetProperty("y").GetDouble(),
        });
    }

    /// <summary>Moves the mouse to the page's top-left corner, off every element a test hovers.</summary>
    public Task MouseAwayAsync() =>
        SendAsync("Input.dispatchMouseEvent", new JsonObject { ["type"] = "mouseMoved", ["x"] = 0, ["y"] = 0 });

    /// <summary>
    /// The part of the page the elements <paramref name="selectors"/> match cover (their bounding box, with a margin),
    /// or the whole page (not only the viewport) when none is given, as PNG bytes.
    /// </summary>
    public async Task<byte[]> ScreenshotAsync(params string[] selectors)
    {
        var area = await EvaluateAsync($$"""
            (() => {
              const els = {{Js(string.Join(", ", selectors))}} ? [...document.querySelectorAll({{Js(string.Join(", ", selectors))}})] : [document.documentElement];
              const rects = els.map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0);
              if (rects.length === 0) return null;
              const m = els[0] === document.documentElement ? 0 : 8;
              const left = Math.max(0, Math.min(...rects.map(r => r.left)) + scrollX - m), top = Math.max(0, Math.min(...rects.map(r => r.top)) + scrollY - m);
              const width = Math.min(document.documentElement.scrollWidth, Math.max(...rects.map(r => r.right)) + scrollX + m) - left;
              const height = Math.min(document.documentElement.scrollHeight, Math.max(...rects.map(r => r.bottom)) + scrollY + m) - top;
              return { x: left, y: top, width, height };
            })()
            """);
        if (area.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException($"nothing to capture: no visible element matches {string.Join(", ", selectors)}");
        }

        var shot = await SendAsync("Page.captureScreenshot", new JsonObject
        {
            ["format"] = "png",
            ["captureBeyondViewport"] = true,
            ["clip"] = new JsonObject
            {
                ["x"] = area.GetProperty("x").GetDouble(),
                ["y"] = area.GetProperty("y").GetDouble(),
                ["width"] = area.GetProperty("width").GetDouble(),
                ["height"] = area.GetProperty("height").GetDouble(),
                ["scale"] = 1,
            },
        });
        return Convert.FromBase64String(shot.GetProperty("data").GetString()!);
    }

    /// <summary>A JavaScript string literal of <paramref name="text"/> (JSON's escaping is JavaScript's).</summary>
    public static string Js(string text) => JsonSerializer.Serialize(text);

    private Task<JsonElement> SendAsync(string method, JsonObject? parameters = null) => connection.SendAsync(method, parameters, session);

    private void Problem(string text)
    {
        lock (_problems)
        {
            _problems.Add(text);
        }
    }

    private async Task<string> DescribeAsync()
    {
        try
        {
            var state = await EvaluateAsync("""
                JSON.stringify({ url: location.href, state: document.querySelector('#state')?.dataset.state,
                  error: document.querySelector('#error')?.textContent?.trim(), tokens: document.querySelectorAll('#output span.tok').length,
                  text: document.body?.innerText?.slice(0, 600) })
                """);
            return state.GetString() ?? "";
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            return "(the page did not answer: " + ex.Message + ")";
        }
    }
}
