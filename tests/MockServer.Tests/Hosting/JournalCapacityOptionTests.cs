using Microsoft.Extensions.Configuration;
using MockServer.Hosting;

namespace MockServer.Tests.Hosting;

/// <summary><c>--journal-capacity N</c>: the command line sets how many requests the journal keeps, as <c>JournalCapacity</c> does in process.</summary>
public sealed class JournalCapacityOptionTests
{
    [Theory]
    [InlineData(5, "--journal-capacity", "5")]
    [InlineData(0, "--journal-capacity=0")]
    [InlineData(7, "--MockServer:JournalCapacity", "7")]
    public async Task The_flag_sets_the_journal_capacity_of_the_server_it_starts(int capacity, params string[] args)
    {
        CommandLineArguments.Check(args);
        var configuration = new ConfigurationBuilder().AddCommandLine(args).Build();

        var options = MockLlmServer.OptionsFrom(configuration);
        await using var server = await MockLlmServer.StartAsync(options);

        server.Journal.Capacity.Should().Be(capacity);
    }

    [Fact]
    public void A_value_that_is_not_a_whole_number_names_the_flag()
    {
        var configuration = new ConfigurationBuilder().AddCommandLine(["--journal-capacity", "lots"]).Build();

        var act = () => MockLlmServer.OptionsFrom(configuration);

        act.Should().Throw<ArgumentException>().WithMessage("--journal-capacity takes a whole number of requests from 0 to 1000000*");
    }
}
