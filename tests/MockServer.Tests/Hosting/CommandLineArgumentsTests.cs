using MockServer.Hosting;

namespace MockServer.Tests.Hosting;

/// <summary>
/// The argument check itself: what follows <c>--api-keys</c> is judged like anything else unless it looks like a second
/// key (a bare word, or an option nothing resembles), which is located by position and never quoted.
/// </summary>
public sealed class CommandLineArgumentsTests
{
    private const string Key = "sk-test-secret-0001";

    [Theory]
    [InlineData("--fixture", "fixtures")]
    [InlineData("--fixture=fixtures")]
    [InlineData("/fixture", "fixtures")]
    public void A_misspelled_option_after_the_keys_gets_its_did_you_mean(params string[] tail)
    {
        var act = () => CommandLineArguments.Check(["--api-keys", Key, .. tail]);

        act.Should().Throw<ArgumentException>()
            .Which.Message.Should().StartWith("unknown option '").And.Contain("did you mean '--fixtures'?")
            .And.NotContain("separate several keys").And.NotContain("secret");
    }

    [Theory]
    [InlineData("Logging:LogLevel:Default=Warning")]
    [InlineData("--Logging:LogLevel:Default=Warning")]
    [InlineData("--seed", "3")]
    public void A_setting_after_the_keys_is_accepted_as_in_the_other_order(params string[] setting)
    {
        CommandLineArguments.Check([.. setting, "--api-keys", Key]);

        var act = () => CommandLineArguments.Check(["--api-keys", Key, .. setting]);

        act.Should().NotThrow();
    }

    [Theory]
    [InlineData("sk-second-secret-0002")]
    [InlineData("--sk-second-secret-0002")]
    [InlineData("sk-second-secret=0002")]
    public void A_second_key_after_a_space_is_located_not_quoted(string stray)
    {
        var act = () => CommandLineArguments.Check(["--api-keys", Key, stray]);

        act.Should().Throw<ArgumentException>()
            .Which.Message.Should().StartWith("unexpected argument at position 3 (after the value of '--api-keys')")
            .And.Contain("separate several keys with commas").And.NotContain("secret");
    }
}
