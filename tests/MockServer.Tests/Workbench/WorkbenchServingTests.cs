using System.Net;
using System.Text;
using System.Text.Json;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Workbench;

/// <summary>
/// The workbench's files over HTTP (issue 11): the page at <c>/workbench/</c> and every embedded asset at
/// <c>/workbench/&lt;file&gt;</c>, each with its content type and the security headers the page relies on (a CSP that
/// allows only the server's own scripts, styles and requests; nosniff; no referrer; no CORS), GET and HEAD only, a
/// structured 404 for a file that is not there, and nothing at all unless <see cref="MockServerOptions.EnableWorkbench"/>.
/// </summary>
public sealed class WorkbenchServingTests
{
    private const string Csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    [Fact]
    public async Task The_page_and_every_embedded_asset_are_served_with_their_type_and_the_security_headers()
    {
        await using var server = await StartAsync();
        using var client = Root(server);
        var assets = EmbeddedAssets();
        assets.Keys.Should().Contain(["index.html", "workbench.css", "workbench.js"]);

        foreach (var (file, bytes) in assets)
        {
            using var response = await client.GetAsync("workbench/" + file);

            response.StatusCode.Should().Be(HttpStatusCode.OK, file);
            (await response.Content.ReadAsByteArrayAsync()).Should().Equal(bytes, $"{file} is served as embedded");
            response.Content.Headers.ContentType!.MediaType.Should().Be(ExpectedType(file), file);
            ShouldCarrySecurityHeaders(response);
        }

        using var page = await client.GetAsync("workbench/");
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        (await page.Content.ReadAsByteArrayAsync()).Should().Equal(assets["index.html"], "/workbench/ is the page");
        page.Content.Headers.ContentType!.ToString().Should().Be("text/html; charset=utf-8");
        ShouldCarrySecurityHeaders(page);
    }

    [Fact]
    public async Task The_bare_prefix_sends_the_browser_to_the_page_where_its_relative_links_resolve()
    {
        await using var server = await StartAsync();
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(server.BaseUrl, "/") };
        using var client = Root(server);

        using var moved = await noRedirects.GetAsync("workbench");
        using var followed = await client.GetAsync("workbench");

        moved.StatusCode.Should().Be(HttpStatusCode.MovedPermanently);
        new Uri(new Uri(server.BaseUrl, "/workbench"), moved.Headers.Location!).AbsolutePath.Should().Be("/workbench/");
        ShouldCarrySecurityHeaders(moved);
        followed.StatusCode.Should().Be(HttpStatusCode.OK);
        (await followed.Content.ReadAsByteArrayAsync()).Should().Equal(EmbeddedAssets()["index.html"]);
    }

    [Fact]
    public async Task Head_answers_the_headers_without_the_body_and_an_unchanged_file_is_not_sent_again()
    {
        await using var server = await StartAsync();
        using var client = Root(server);
        var css = EmbeddedAssets()["workbench.css"];

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "workbench/workbench.css"));
        using var first = await client.GetAsync("workbench/workbench.css");
        var again = new HttpRequestMessage(HttpMethod.Get, "workbench/workbench.css");
        again.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag!.Tag);
        using var revalidated = await client.SendAsync(again);

        head.StatusCode.Should().Be(HttpStatusCode.OK);
        head.Content.Headers.ContentLength.Should().Be(css.Length);
        (await head.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
        ShouldCarrySecurityHeaders(head);
        revalidated.StatusCode.Should().Be(HttpStatusCode.NotModified);
        (await revalidated.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
        ShouldCarrySecurityHeaders(revalidated);
    }

    [Theory]
    [InlineData("workbench/no-such-file.js")]
    [InlineData("workbench/..%2Fappsettings.json")] // HttpClient collapses a plain "..": an escaped slash reaches the route
    [InlineData("workbench/..%2FMockServer.dll")]
    [InlineData("workbench/%2E%2E%2FMockServer.dll")]
    [InlineData("workbench/Index.html")] // names compare exactly
    public async Task A_file_that_is_not_embedded_gets_the_404_envelope_with_the_headers(string path)
    {
        await using var server = await StartAsync();
        using var client = Root(server);

        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.NotFound, body);
        body.ShouldConformTo(Schemas.Error);
        JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString().Should().Be("unknown_url");
        response.RequestMessage!.RequestUri!.AbsolutePath.Should().StartWith("/workbench/", "the request must reach the workbench's route");
        ShouldCarrySecurityHeaders(response);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task Only_get_and_head_are_allowed(string method)
    {
        await using var server = await StartAsync();
        using var client = Root(server);

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "workbench/") { Content = new StringContent("{}", Encoding.UTF8, "application/json") });
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed, body);
        body.ShouldConformTo(Schemas.Error);
        JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString().Should().Be("method_not_allowed");
        ShouldCarrySecurityHeaders(response);
    }

    [Fact]
    public async Task Another_origin_gets_no_cors_header_not_even_on_a_preflight()
    {
        await using var server = await StartAsync();
        using var client = Root(server);
        var get = new HttpRequestMessage(HttpMethod.Get, "workbench/workbench.js");
        get.Headers.Add("Origin", "http://evil.example");
        var preflight = new HttpRequestMessage(HttpMethod.Options, "workbench/");
        preflight.Headers.Add("Origin", "http://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");

        using var answer = await client.SendAsync(get);
        using var preflightAnswer = await client.SendAsync(preflight);

        answer.StatusCode.Should().Be(HttpStatusCode.OK);
        ShouldCarrySecurityHeaders(answer);
        ShouldCarrySecurityHeaders(preflightAnswer);
        preflightAnswer.IsSuccessStatusCode.Should().BeFalse("a preflight is not granted");
    }

    [Fact]
    public async Task In_process_the_workbench_is_off_unless_enabled()
    {
        await using var server = await MockLlmServer.StartAsync();
        using var client = Root(server);

        using var page = await client.GetAsync("workbench/");
        using var bare = await client.GetAsync("workbench");
        var body = await page.Content.ReadAsStringAsync();

        page.StatusCode.Should().Be(HttpStatusCode.NotFound);
        bare.StatusCode.Should().Be(HttpStatusCode.NotFound);
        body.ShouldConformTo(Schemas.Error);
        body.Should().Contain("Unknown request URL", "the ordinary 404, as for any path the mock does not serve");
        page.Headers.Contains("Content-Security-Policy").Should().BeFalse();
    }

    [Fact]
    public async Task With_the_workbench_off_its_path_is_an_ordinary_journaled_404()
    {
        await using var server = await MockLlmServer.StartAsync();
        using var client = Root(server);

        (await client.GetAsync("workbench/")).Dispose();
        var entries = await server.Journal.WaitForAsync(1).WaitAsync(TimeSpan.FromSeconds(30)); // a hang guard only

        entries.Should().ContainSingle().Which.Should().Match<MockServer.Journal.JournalEntry>(e => e.Path == "/workbench/" && e.Status == 404);
    }

    [Fact]
    public async Task Workbench_requests_are_not_journaled_but_the_requests_after_them_are()
    {
        await using var server = await StartAsync();
        using var client = Root(server);
        (await client.GetAsync("workbench/")).Dispose();
        (await client.GetAsync("workbench/workbench.js")).Dispose();
        (await client.GetAsync("workbench/missing.png")).Dispose();

        (await client.GetAsync("v1/models")).Dispose();
        var entries = await server.Journal.WaitForAsync(1).WaitAsync(TimeSpan.FromSeconds(30)); // a hang guard only

        // Journaled requests take their sequence on arrival: had any workbench request been journaled, this would not be 1.
        entries.Should().ContainSingle().Which.Should().Match<MockServer.Journal.JournalEntry>(e => e.Path == "/v1/models" && e.Sequence == 1);
    }

    /// <summary>The headers every workbench answer carries, and no CORS header: the page is for this origin only.</summary>
    internal static void ShouldCarrySecurityHeaders(HttpResponseMessage response)
    {
        response.Headers.GetValues("Content-Security-Policy").Should().Equal(Csp);
        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        response.Headers.GetValues("Referrer-Policy").Should().Equal("no-referrer");
        response.Headers.Concat(response.Content.Headers).Select(h => h.Key)
            .Should().NotContain(name => name.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase), "no CORS by default");
    }

    /// <summary>The workbench files the server assembly embeds (<c>workbench/*</c>), by path under <c>/workbench/</c>.</summary>
    internal static Dictionary<string, byte[]> EmbeddedAssets()
    {
        var assembly = typeof(MockLlmServer).Assembly;
        var assets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("workbench/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            assets[name["workbench/".Length..].Replace('\\', '/')] = copy.ToArray();
        }

        return assets;
    }

    internal static Task<MockLlmServer> StartAsync() => MockLlmServer.StartAsync(new MockServerOptions { EnableWorkbench = true });

    internal static HttpClient Root(MockLlmServer server) => new() { BaseAddress = new Uri(server.BaseUrl, "/"), Timeout = TimeSpan.FromSeconds(30) };

    private static string ExpectedType(string file) => Path.GetExtension(file) switch
    {
        ".html" => "text/html",
        ".css" => "text/css",
        ".js" or ".mjs" => "text/javascript",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".json" => "application/json",
        var other => throw new InvalidOperationException($"The workbench embeds a {other} file this test has no content type for: add it here and to WorkbenchAssets."),
    };
}
