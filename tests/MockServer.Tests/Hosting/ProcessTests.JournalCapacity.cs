// Part of ProcessTests (its process helpers), kept with the option tests it belongs to.
namespace MockServer.Tests.Functional;

/// <summary>The journal-capacity flag through the command line, as users run the server.</summary>
public sealed partial class ProcessTests
{
    [Theory]
    [InlineData("-1", "--journal-capacity takes a whole number of requests from 0 to 1000000")]
    [InlineData("lots", "--journal-capacity takes a whole number of requests from 0 to 1000000")]
    [InlineData("99999999999", "--journal-capacity takes a whole number of requests from 0 to 1000000")]
    [InlineData("1000001", "--journal-capacity must be from 0 to 1000000.")]
    public async Task A_bad_journal_capacity_exits_with_2_naming_the_flag(string value, string message)
    {
        var (exitCode, stderr) = await RunToExitAsync("--urls", "http://127.0.0.1:0", "--journal-capacity", value);

        exitCode.Should().Be(2);
        stderr.Should().StartWith($"MockServer cannot start: {message}");
        OneLine(stderr);
    }
}
