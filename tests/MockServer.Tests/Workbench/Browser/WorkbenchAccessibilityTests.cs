namespace MockServer.Tests.Workbench.Browser;

/// <summary>
/// The workbench by keyboard and for every reader (issue 11): each control has a label, text and buttons meet WCAG 2.x
/// contrast (4.5:1; 3:1 for large text), computed in the page from the colours the browser resolved, and a request can
/// be sent and its tokens read with the keyboard alone.
/// </summary>
[Collection(WorkbenchBrowserDefinition.Name)]
public sealed class WorkbenchAccessibilityTests(WorkbenchSession session)
{
    /// <summary>Every control without a label (a <c>label</c> for it, or aria-label/aria-labelledby with text), described.</summary>
    private const string Unlabelled = """
        [...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter(el => {
          const byLabel = [...(el.labels ?? [])].map(l => l.textContent.trim()).join('');
          const byAria = (el.getAttribute('aria-label') ?? '') + (el.getAttribute('aria-labelledby') ?? '').split(/\s+/)
            .map(id => document.getElementById(id)?.textContent.trim() ?? '').join('');
          return (byLabel + byAria).trim() === '';
        }).map(el => el.id || el.outerHTML.slice(0, 120))
        """;

    /// <summary>
    /// Every visible element that shows text of its own, and every enabled button, whose contrast with its effective
    /// background is under the WCAG AA minimum. Colours go through a canvas, so any CSS colour syntax is read as the
    /// browser paints it; backgrounds are composited up the ancestors over white.
    /// </summary>
    private const string LowContrast = """
        (() => {
          const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
          const rgba = css => { ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = '#000'; ctx.fillStyle = css; ctx.fillRect(0, 0, 1, 1);
                                const d = ctx.getImageData(0, 0, 1, 1).data; return [d[0], d[1], d[2], d[3] / 255]; };
          const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
          const background = el => {
            const layers = [];
            for (let e = el; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor); if (c[3] > 0) layers.push(c); if (c[3] >= 1) break; }
            return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
          };
          const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                             return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
          const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
          const visible = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
                                  return r.width > 2 && r.height > 2 && s.visibility !== 'hidden' && s.display !== 'none' && el.closest('[hidden]') === null; };
          const ownText = el => [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim() !== '');
          const checked = [document.body, ...document.querySelectorAll('body *')]
            .filter(el => !['SCRIPT', 'STYLE', 'OPTION'].includes(el.tagName) && visible(el) && (ownText(el) || (el.tagName === 'BUTTON' && !el.disabled)))
            .filter(el => !el.disabled);
          const failures = [];
          for (const el of checked) {
            const s = getComputedStyle(el);
            const bg = background(el);
            const fg = over(rgba(s.color), bg);
            const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
            const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
            const r = ratio(fg, bg);
            if (r < needed) failures.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + String(el.className).split(' ').join('.') : ''} "${el.textContent.trim().slice(0, 30)}": ${r.toFixed(2)}:1 < ${needed}:1`);
          }
          return { checked: checked.length, buttons: checked.filter(e => e.tagName === 'BUTTON').length, failures };
        })()
        """;

    [Fact]
    public async Task Every_control_is_labelled_and_text_and_buttons_have_readable_contrast()
    {
        var page = await session.OpenAsync(session.Keyed, WorkbenchSession.TeamKey);

        // The controls the page makes as it goes: the keys table's budget inputs, the chat messages, tokens.
        await page.SetAsync("admin-key", WorkbenchSession.AdminKey);
        await page.ComposeAsync("completions", "llama-8b", new Dictionary<string, string> { ["max_tokens"] = "4", ["logprobs"] = "2", ["stream"] = "true" }, "Readable");
        await page.SendAsync();
        await page.Browser.EvaluateAsync("document.querySelector('#keys-refresh')?.click()");
        await page.Browser.WaitForAsync("document.querySelectorAll('#keys tbody tr input').length === 2", "the keys rows with their budget inputs");
        await page.ClickAsync("#journal-refresh");
        await page.Browser.WaitForAsync("document.querySelectorAll('#journal tbody tr').length > 0", "the journal rows");

        var completions = await page.Browser.EvaluateAsync<string[]>(Unlabelled);
        var contrast = await page.Browser.EvaluateAsync(LowContrast);
        await page.SetAsync("endpoint", "chat");
        await page.Browser.WaitForAsync("document.querySelectorAll('#messages textarea.msg-content').length > 0", "the chat message rows");
        var chat = await page.Browser.EvaluateAsync<string[]>(Unlabelled);

        completions.Should().BeEmpty("every input, select and textarea has a label");
        chat.Should().BeEmpty("every input, select and textarea has a label, the message rows too");
        contrast.GetProperty("buttons").GetInt32().Should().BePositive("the check reached the buttons");
        contrast.GetProperty("checked").GetInt32().Should().BeGreaterThan(20, "the check reached the page's text");
        contrast.GetProperty("failures").EnumerateArray().Select(f => f.GetString()).Should().BeEmpty("text and buttons need 4.5:1 (3:1 when large)");
        page.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task A_request_is_sent_and_its_tokens_read_with_the_keyboard_alone()
    {
        var page = await session.OpenAsync(session.Open);
        await page.ComposeAsync("completions", "llama-8b", new Dictionary<string, string> { ["max_tokens"] = "3", ["logprobs"] = "2", ["stream"] = "true" }, "Keys only");

        await page.Browser.EvaluateAsync("document.getElementById('send').focus()");
        await page.Browser.PressAsync("Enter");
        await page.Browser.WaitForAsync("document.querySelector('#state').dataset.state === 'done'", "Enter on #send to send the request");

        (await page.Browser.EvaluateAsync<int[]>("[...document.querySelectorAll('#output span.tok')].map(t => t.tabIndex)")).Should().Equal([0, 0, 0]);

        // From the send button, Tab reaches the first token (the controls between, if any, are passed over), then each next one.
        var presses = 0;
        while (!await page.Browser.EvaluateAsync<bool>("document.activeElement === document.querySelector('#output span.tok')"))
        {
            (++presses).Should().BeLessThan(15, "Tab from #send reaches the answer's first token");
            await page.Browser.PressAsync("Tab");
        }

        await page.Browser.PressAsync("Tab");
        (await page.Browser.EvaluateAsync<int>("[...document.querySelectorAll('#output span.tok')].indexOf(document.activeElement)")).Should().Be(1);
        await page.Browser.PressAsync("Tab", shift: true);
        (await page.Browser.EvaluateAsync<int>("[...document.querySelectorAll('#output span.tok')].indexOf(document.activeElement)")).Should().Be(0);
        await page.Browser.WaitForAsync("!document.querySelector('#logprob-view').hidden", "focus on a token to open #logprob-view");
        page.ShouldHaveNoProblems();
    }
}
