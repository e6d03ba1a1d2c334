using Conformance.Cli;

using static Conformance.Tests.Cli.CliRunner;

namespace Conformance.Tests.Cli;

/// <summary>
/// Every line the CLI prints on stderr goes through the redactor with every key it knows (the raw --api-key value and
/// the key variables): a key given in the wrong place, which an error message then quotes, is never printed.
/// </summary>
public sealed class ErrorRedactionCliTests
{
    private const string Key = "sk-cli-error-secret-0123456789";
    private const string Url = "http://127.0.0.1:9/v1";

    public static TheoryData<string[], bool> KeyQuotedByAnError => new()
    {
        // A parse error: System.CommandLine quotes the token it could not place.
        { ["--base-url", Url, Key], true },
        { ["--base-url", Url, "--api-key", Key, Key.ToUpperInvariant()], false },
        // A usage error that quotes a value: the key given to --base-url or --profile by mistake.
        { ["--base-url", Key], true },
        { ["--base-url", Url, "--api-key", Key, "--profile", Key], false },
    };

    [Theory]
    [MemberData(nameof(KeyQuotedByAnError))]
    public async Task Run_ErrorThatQuotesTheKey_PrintsNoRunOfIt(string[] args, bool keyInEnvironment)
    {
        var env = keyInEnvironment ? new Dictionary<string, string> { ["OPENAI_API_KEY"] = Key } : null;

        var (code, output, error) = await RunAsync(args, env);

        code.Should().Be(CliApp.UsageError, error);
        error.Should().NotBeEmpty().And.Contain("***", "the quoted key was masked, not left out");
        var printed = (output + error).ToLowerInvariant();
        for (var i = 0; i + 8 <= Key.Length; i++)
        {
            printed.Should().NotContain(Key.Substring(i, 8).ToLowerInvariant(), "no 8-character run of the key is printed");
        }
    }
}
