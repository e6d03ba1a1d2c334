using Microsoft.Extensions.Time.Testing;
using MockServer.Hosting;
using MockServer.Timing;

namespace MockServer.Tests.Generation;

/// <summary>The timing model's arithmetic: due times, prefill, tokens per second, and seeded jitter.</summary>
public sealed class TokenClockTests
{
    private static readonly FakeTimeProvider Clock = new();

    [Fact]
    public void Token_t_is_due_at_the_time_to_first_token_plus_prefill_plus_t_intervals()
    {
        var clock = new TokenClock(new StreamTiming { TimeToFirstToken = TimeSpan.FromMilliseconds(300), PrefillPerPromptToken = TimeSpan.FromMilliseconds(2), TokensPerSecond = 50 }, 25, 7, Clock);

        clock.DueOf(0).Should().Be(TimeSpan.FromMilliseconds(350));
        clock.DueOf(1).Should().Be(TimeSpan.FromMilliseconds(370));
        clock.DueOf(10).Should().Be(TimeSpan.FromMilliseconds(550));
        clock.IsImmediate.Should().BeFalse();
        new TokenClock(StreamTiming.None, 25, 7, Clock).IsImmediate.Should().BeTrue();
    }

    [Fact]
    public void Jitter_is_seeded_bounded_and_differs_between_seeds()
    {
        var timing = new StreamTiming { TimeToFirstToken = TimeSpan.FromSeconds(1), InterTokenLatency = TimeSpan.FromMilliseconds(100), Jitter = 0.3 };
        var a = Enumerable.Range(0, 200).Select(new TokenClock(timing, 0, 42, Clock).DueOf).ToList();
        var again = Enumerable.Range(0, 200).Select(new TokenClock(timing, 0, 42, Clock).DueOf).ToList();
        var other = Enumerable.Range(0, 200).Select(new TokenClock(timing, 0, 43, Clock).DueOf).ToList();

        again.Should().Equal(a, "the same seed paces the same way");
        other.Should().NotEqual(a);
        a[0].Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(700)).And.BeLessThanOrEqualTo(TimeSpan.FromMilliseconds(1300));
        for (var t = 1; t < a.Count; t++)
        {
            var nominal = a[0] + (TimeSpan.FromMilliseconds(100) * t);
            a[t].Should().BeGreaterThanOrEqualTo(nominal - TimeSpan.FromMilliseconds(15)).And.BeLessThanOrEqualTo(nominal + TimeSpan.FromMilliseconds(15));
        }

        a.Skip(1).Select((due, i) => due - (a[0] + (TimeSpan.FromMilliseconds(100) * (i + 1)))).Distinct().Should().HaveCountGreaterThan(100, "each token draws its own offset");
    }

    [Fact]
    public void Even_the_largest_jitter_keeps_tokens_in_order_and_their_gaps_within_one_plus_or_minus_j()
    {
        var clock = new TokenClock(new StreamTiming { InterTokenLatency = TimeSpan.FromMilliseconds(100), Jitter = 0.99 }, 0, 5, Clock);
        var due = Enumerable.Range(0, 2000).Select(clock.DueOf).ToList();

        for (var t = 2; t < due.Count; t++)
        {
            (due[t] - due[t - 1]).Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThan(TimeSpan.FromMilliseconds(199.01));
        }
    }

    [Fact]
    public async Task A_wait_longer_than_a_timer_can_take_is_waited_in_steps()
    {
        // A minute per token over 100,000 tokens is about 69 days: more than one timer may wait (about 49.7 days).
        var fake = new FakeTimeProvider();
        var clock = new TokenClock(new StreamTiming { InterTokenLatency = TimeSpan.FromMinutes(1) }, 0, 5, fake);

        var wait = clock.WaitForTokenAsync(100_000, CancellationToken.None);
        fake.Advance(TimeSpan.FromMinutes(100_000) - TimeSpan.FromSeconds(1));
        wait.IsCompleted.Should().BeFalse();
        fake.Advance(TimeSpan.FromSeconds(1));
        await wait.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Layers_replace_only_the_fields_they_name()
    {
        var server = new StreamTiming { TimeToFirstToken = TimeSpan.FromSeconds(1), InterTokenLatency = TimeSpan.FromMilliseconds(50), Jitter = 0.1 };
        var fixture = new StreamTiming { TokensPerSecond = 10 };
        var header = new StreamTiming { TimeToFirstToken = TimeSpan.Zero };

        var resolved = header.Over(fixture.Over(server));

        resolved.TimeToFirstToken.Should().Be(TimeSpan.Zero);
        resolved.Interval.Should().Be(TimeSpan.FromMilliseconds(100), "tokens per second is the interval's other spelling, and the fixture's wins");
        resolved.Jitter.Should().Be(0.1);
    }
}
