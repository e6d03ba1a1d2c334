using MockServer.Generation;

namespace MockServer.Tests.Generation;

public sealed class StopMatcherTests
{
    [Fact]
    public void Match_spanning_tokens_is_found_at_its_start()
    {
        var matcher = new StopMatcher(["lo, w"]);

        matcher.Feed("Hel", 0).Stop.Should().BeNull();
        var (stop, start) = matcher.Feed("lo, world", 3);

        (stop, start).Should().Be(("lo, w", 3));
    }

    [Fact]
    public void Earliest_start_wins_when_several_complete_in_one_token()
    {
        var matcher = new StopMatcher(["c", "abcd"]);

        matcher.Feed("xabcd", 0).Should().Be(("abcd", 1));
    }

    [Theory]
    [InlineData("aab", "aaab", 1)]
    [InlineData("abab", "aabababx", 1)]
    [InlineData("aaa", "aa", -1)]
    [InlineData("\n\n", "one\ntwo\n\nthree", 7)]
    public void Overlapping_patterns_are_matched_like_IndexOf(string pattern, string text, int expected)
    {
        // Fed one character at a time, the automaton must agree with a plain search of the whole text.
        var matcher = new StopMatcher([pattern]);
        var found = -1;
        for (var i = 0; i < text.Length && found < 0; i++)
        {
            if (matcher.Feed(text[i].ToString(), i) is ({ }, var at))
            {
                found = at;
            }
        }

        found.Should().Be(expected).And.Be(text.IndexOf(pattern, StringComparison.Ordinal));
    }
}
