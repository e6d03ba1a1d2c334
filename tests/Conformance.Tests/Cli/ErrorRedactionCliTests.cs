using Conformance.Cli;

using static Conformance.Tests.Cli.CliRunner;

namespace Conformance.Tests.Cli;

/// <summary>
/// A key on the command line is never printed on stderr: a stray word (which may be a key no variable holds) is located
/// by position, never quoted, and every line goes through the redactor with every key the CLI knows (the raw --api-key
/// value and the key variables), so a key given to the wrong option, which a usage error then quotes, is masked.
/// </summary>
public sealed class ErrorRedactionCliTests
{
    private const string Key = "sk-cli-error-secret-0123456789";
    private const string Url = "http://127.0.0.1:9/v1";

    public static TheoryData<string[], bool> KeyQuotedByAnError => new()
    {
        // A usage error that quotes a value: the key given to --base-url or --profile by mistake.
        { ["--base-url", Key], true },
        { ["--base-url", Url, "--api-key", Key, "--profile", Key], false },
    };

    /// <summary>A key the CLI does not know (no variable set): only the position of a stray token can be printed.</summary>
    public static TheoryData<string[], string> UnknownKeyAsAStrayToken => new()
    {
        { ["--base-url", Url, "sk-proj-SECRETSECRET123456"], "unexpected argument at position 3; the CLI takes no positional arguments" },
        { ["--api-key", "sk-first-key-0001", "sk-proj-SECRETSECRET123456"], "unexpected argument at position 3; the CLI takes no positional arguments" },
        { ["--api-key=sk-first-key-0001", "sk-proj-SECRETSECRET123456", "--base-url", Url], "unexpected argument at position 2; the CLI takes no positional arguments" },
        { ["sk-proj-SECRETSECRET123456", "--api-key", "sk-proj-SECRETSECRET123456"], "unexpected argument at position 1; the CLI takes no positional arguments" },
        { ["diff", "a.json", "b.json", "sk-proj-SECRETSECRET123456"], "unexpected argument at position 4; 'diff' takes only OLD and NEW" },
    };

    [Theory]
    [MemberData(nameof(UnknownKeyAsAStrayToken))]
    public async Task Run_AKeyNoVariableHolds_IsLocatedByPositionNeverQuoted(string[] args, string expected)
    {
        var (code, output, error) = await RunAsync(args);
        AssertLocatedNotQuoted(code, output, error, expected);
    }

    [Fact]
    public async Task Run_AStrayKeyAlsoInTheEnvironment_IsLocatedNotMasked()
    {
        // The key is known here, but it is not even masked in place: the stray word is not quoted at all.
        var env = new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-proj-SECRETSECRET123456" };

        var (code, output, error) = await RunAsync(["--base-url", Url, "sk-proj-SECRETSECRET123456"], env);

        AssertLocatedNotQuoted(code, output, error, "unexpected argument at position 3;");
        error.Should().NotContain("***");
    }

    private static void AssertLocatedNotQuoted(int code, string output, string error, string expected)
    {
        code.Should().Be(CliApp.UsageError, error);
        error.Should().StartWith(expected).And.Contain("did you forget an option name, or quote a value with spaces?");
        error.Should().NotContain("Unrecognized command or argument");
        (output + error).Should().NotContainAny("SECRETSECRET", "first-key", "sk-proj");
    }

    [Fact]
    public async Task Run_AMisspelledOption_IsNamedByPositionWithTheOptionItResembles()
    {
        var (code, _, error) = await RunAsync(["--base-url", Url, "--api-keys", "k"]);

        code.Should().Be(CliApp.UsageError);
        error.Should().StartWith("unknown option at position 3; did you mean '--api-key'? (the options are listed by --help)");
    }

    [Fact]
    public async Task Run_AnOptionLikeNothingKnown_IsNamedByPositionOnly()
    {
        var (code, _, error) = await RunAsync(["--base-url", Url, "--sk-proj-SECRETSECRET123456"]);

        code.Should().Be(CliApp.UsageError);
        error.Should().StartWith("unknown option at position 3; the options are listed by --help");
        error.Should().NotContain("SECRETSECRET");
    }

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
