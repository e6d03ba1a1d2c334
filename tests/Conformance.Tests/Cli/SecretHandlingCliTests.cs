using Conformance.Cli;
using Conformance.Tests.Http;
using Microsoft.AspNetCore.Http;

using static Conformance.Tests.Cli.CliRunner;

namespace Conformance.Tests.Cli;

/// <summary>The key goes only to the host it belongs to, is trimmed and validated, and never reaches any output.</summary>
public sealed class SecretHandlingCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("conformance-secret-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// Answers with 401 and echoes the Authorization header back, as a hostile endpoint might. The model list answers
    /// 200 (with the echo): a server that refuses the key on every route stops at the preflight, before any check.
    /// </summary>
    private static Task<TinyServer> EchoServerAsync() => TinyServer.StartAsync(async ctx =>
    {
        ctx.Response.StatusCode = HttpMethods.IsGet(ctx.Request.Method) && ctx.Request.Path.Value!.EndsWith("/models", StringComparison.Ordinal) ? 200 : 401;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync("{\"error\":{\"message\":\"bad key " + ctx.Request.Headers.Authorization.ToString().Replace("\"", string.Empty, StringComparison.Ordinal) + "\",\"type\":\"auth\",\"param\":null,\"code\":null}}");
    });

    [Fact]
    public async Task Run_OpenAiKeyWithAcsBase_SendsOnlyTheAcsKey()
    {
        await using var server = await EchoServerAsync();
        var env = new Dictionary<string, string>
        {
            ["OPENAI_API_KEY"] = "sk-openai-REAL",
            ["ACS_API_BASE"] = server.BaseUrl.ToString(),
            ["ACS_API_KEY"] = "acs-bm-key",
        };

        var (code, output, error) = await RunAsync(["--only", "models", "--quiet", "--timeout", "10"], env);

        code.Should().Be(CliApp.Failed, error);
        server.Authorizations.Should().NotBeEmpty().And.OnlyContain(a => a == "Bearer acs-bm-key");
        output.Should().NotContain("acs-bm-key").And.NotContain("sk-openai-REAL");
    }

    [Fact]
    public async Task Run_BaseUrlFlagWithOtherHostsKey_DoesNotSendThatKey()
    {
        await using var server = await EchoServerAsync();
        var env = new Dictionary<string, string>
        {
            ["OPENAI_BASE_URL"] = "https://api.openai.example/v1",
            ["OPENAI_API_KEY"] = "sk-openai-REAL",
        };

        await RunAsync(["--base-url", server.BaseUrl.ToString(), "--only", "models", "--quiet", "--timeout", "10"], env);

        server.Authorizations.Should().NotBeEmpty().And.NotContain(a => a.Contains("sk-openai-REAL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_BaseUrlFlagMatchingTheOpenAiPair_UsesItsKey()
    {
        await using var server = await EchoServerAsync();
        var env = new Dictionary<string, string>
        {
            ["OPENAI_BASE_URL"] = server.BaseUrl.ToString(),
            ["OPENAI_API_KEY"] = "sk-openai-REAL",
            ["ACS_API_KEY"] = "acs-bm-key",
        };

        await RunAsync(["--base-url", server.BaseUrl.ToString(), "--only", "models", "--quiet", "--timeout", "10"], env);

        server.Authorizations.Should().NotBeEmpty().And.OnlyContain(a => a == "Bearer sk-openai-REAL");
    }

    [Fact]
    public async Task Run_EmptyOpenAiBaseUrl_FallsThroughToTheAcsPair()
    {
        await using var server = await EchoServerAsync();
        var env = new Dictionary<string, string>
        {
            ["OPENAI_BASE_URL"] = string.Empty,
            ["OPENAI_API_KEY"] = "sk-openai-REAL",
            ["ACS_API_BASE"] = server.BaseUrl.ToString(),
            ["ACS_API_KEY"] = "acs-bm-key",
        };

        var (code, _, error) = await RunAsync(["--only", "models", "--quiet", "--timeout", "10"], env);

        code.Should().Be(CliApp.Failed, error);
        error.Should().NotContain("absolute URL");
        server.Authorizations.Should().NotBeEmpty().And.OnlyContain(a => a == "Bearer acs-bm-key");
    }

    [Fact]
    public async Task Run_BaseUrlWithUserInfo_IsAUsageErrorThatDoesNotPrintThePassword()
    {
        var (code, output, error) = await RunAsync(["--base-url", "http://admin:hunter2pass@127.0.0.1:1/v1", "--only", "models"]);

        code.Should().Be(CliApp.UsageError);
        error.Should().Contain("--api-key");
        (output + error).Should().NotContain("hunter2pass");
    }

    [Fact]
    public async Task Run_KeyWithSurroundingWhitespace_IsTrimmedAndRedactedEverywhere()
    {
        const string key = "sk-whitespace-secret-0123456789";
        await using var server = await EchoServerAsync();
        var json = Path.Combine(_dir, "r.json");
        var junit = Path.Combine(_dir, "r.xml");

        var (code, output, error) = await RunAsync(
            ["--base-url", server.BaseUrl.ToString(), "--api-key", key + " ", "--only", "models,auth", "--timeout", "10", "--json", json, "--junit", junit]);

        code.Should().Be(CliApp.Failed, error);
        server.Authorizations.Should().Contain("Bearer " + key);
        output.Should().NotContain(key);
        error.Should().NotContain(key);
        (await File.ReadAllTextAsync(json)).Should().NotContain(key).And.Contain(Conformance.Http.Redactor.Mask);
        (await File.ReadAllTextAsync(junit)).Should().NotContain(key);
    }

    [Fact]
    public async Task Run_CiSecretWithTrailingNewline_IsTrimmedAndSent()
    {
        await using var server = await EchoServerAsync();
        var env = new Dictionary<string, string> { ["OPENAI_BASE_URL"] = server.BaseUrl.ToString(), ["OPENAI_API_KEY"] = "sk-ci-secret\n" };

        var (code, output, error) = await RunAsync(["--only", "models", "--quiet", "--timeout", "10"], env);

        code.Should().Be(CliApp.Failed, error);
        server.Authorizations.Should().NotBeEmpty().And.OnlyContain(a => a == "Bearer sk-ci-secret");
        output.Should().NotContain("sk-ci-secret");
    }

    [Theory]
    [InlineData("--timeout")]
    [InlineData("--max-retry-wait")]
    [InlineData("--run-timeout")]
    public async Task Run_HugeSeconds_IsAUsageError(string option)
    {
        var (code, _, error) = await RunAsync(["--base-url", "http://127.0.0.1:1/v1", option, "1e300", "--only", "models"]);

        code.Should().Be(CliApp.UsageError);
        error.Should().Contain(option);
    }

    [Theory]
    [InlineData("sk-secret\nmiddle")]
    [InlineData("sk-secret\r\nX-Injected: 1")]
    [InlineData("sk-secret\0nul")]
    [InlineData("sk-secret-é")]
    public async Task Run_KeyWithControlOrNonAsciiCharacters_IsAUsageErrorThatDoesNotPrintTheKey(string key)
    {
        var env = new Dictionary<string, string> { ["OPENAI_BASE_URL"] = "http://127.0.0.1:1/v1", ["OPENAI_API_KEY"] = key };

        var (code, output, error) = await RunAsync(["--only", "models"], env);

        code.Should().Be(CliApp.UsageError);
        error.Should().Contain("API key");
        (output + error).Should().NotContain("sk-secret");
    }
}
