using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using TestSupport;

namespace MockServer.Tests.Workbench.Browser;

/// <summary>
/// The request as code (issue 11): the curl snippet, run by bash as a user pastes it, sends the body the page sent and
/// gets the answer the page showed (a seeded request answers the same every time). (That the snippets read the key from
/// the environment is checked with a keyed server, in <see cref="WorkbenchKeysTests"/>.)
/// </summary>
[Collection(WorkbenchBrowserDefinition.Name)]
public sealed class WorkbenchSnippetTests(WorkbenchSession session)
{
    /// <summary>A guard against a wedged curl, not a measure: the request answers in milliseconds.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task The_curl_snippet_sends_the_body_the_page_sent_and_gets_the_text_the_page_showed()
    {
        var page = await session.OpenAsync(session.Open);
        await page.ComposeAsync("completions", "llama-8b", new Dictionary<string, string>
        {
            ["max_tokens"] = "6", ["seed"] = "21", ["temperature"] = "0.8", ["stop"] = "END",
        }, "Snippets are 'quoted' and \"escaped\":");
        await page.SendAsync();
        var shown = string.Concat((await page.TokensAsync()).Select(t => t.Text));
        var sent = await page.SentAsync();
        var curl = await page.TextAsync("#snippet-curl");

        var (code, output, error) = await RunBashAsync(curl);

        code.Should().Be(0, $"the snippet runs as written: {error}\n{curl}");
        var replayed = await page.SentAsync(nth: 2); // the snippet's request, after the page's
        JsonNode.DeepEquals(JsonNode.Parse(replayed.Body!), JsonNode.Parse(sent.Body!)).Should().BeTrue(
            $"the snippet sends the body the page sent:\n{replayed.Body}\nvs\n{sent.Body}");
        var answer = JsonDocument.Parse(output).RootElement;
        answer.GetProperty("choices")[0].GetProperty("text").GetString().Should().Be(shown, "a seeded request answers curl as it answered the page");

        foreach (var id in (string[])["snippet-curl", "snippet-python", "snippet-dotnet"])
        {
            (await page.CountAsync($"button.copy[data-target='{id}']")).Should().Be(1, $"{id} has a copy button");
        }

        page.ShouldHaveNoProblems();
    }

    /// <summary>Runs <paramref name="script"/> with bash, OPENAI_API_KEY set as a user's shell has it.</summary>
    private static async Task<(int Code, string Output, string Error)> RunBashAsync(string script)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["OPENAI_API_KEY"] = "unused-by-an-open-mock" },
        };
        start.ArgumentList.Add("-s");
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException("bash is needed to run the workbench's curl snippet: " + ex.Message, ex);
        }

        using (process)
        {
            // curl itself: missing, the snippet fails with bash's "command not found"; say how to install it instead.
            const string NeedCurl = "command -v curl >/dev/null || { echo 'curl is needed to run the snippet: apt-get install -y curl (.ci/run installs it)' >&2; exit 127; }\n";
            return await GuardedProcess.RunAsync(process, HangGuard, "the curl snippet", NeedCurl + script + "\n");
        }
    }
}
