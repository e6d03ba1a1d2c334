using Conformance.Tests.Fakes;

namespace Conformance.Tests.Checks;

/// <summary>validation.boolean.*: a refusal counts only when it is about the type (spec-facts §12.1: llama.cpp's <c>n: false</c>).</summary>
public sealed class BooleanRefusalTests
{
    [Fact]
    public async Task ServerThatCoercesThenRefusesTheNumber_AcceptsBooleans_AndTheCheckSaysSo()
    {
        // false becomes 0 and 0 is out of range for n, max_tokens and top_p: the 400 is about the value, not the type.
        var fake = new FakeServerOptions { CoerceBooleans = true };

        var report = await Suite.RunAsync(fake, null, "validation.boolean");

        foreach (var name in new[] { "n", "max_tokens", "top_p" })
        {
            var check = report.Checks.Single(c => c.Id == $"validation.boolean.{name}.false");
            check.Verdict.Should().Be(Verdict.Fail);
            check.Message.Should().Be($"the server refused `{name}: false` exactly as it refuses `{name}: 0`: the boolean was coerced, not refused");
            check.Evidence!.Excerpt.Should().Contain($"the same body with {name}: 0");
        }

        // The rest are accepted outright (temperature 0, n 1, ...): the old "(the request was accepted)" failure.
        report.Checks.Where(c => c.Verdict == Verdict.Pass).Should().BeEmpty();
        report.Observations["validation.booleans_accepted"].Should().Be("26");
    }

    [Fact]
    public async Task ServerThatRefusesTheTypeWithoutACode_Passes_ByComparingWithTheNumber()
    {
        // error.code is null, so the code cannot say it; the answer to the number (200, or another message) does.
        var fake = new FakeServerOptions();
        fake.Violations.Add(Violation.ErrorCodeNull);

        var report = await Suite.RunAsync(fake, null, "validation.boolean");

        report.Checks.Where(c => c.Verdict != Verdict.Pass).Select(c => $"{c.Id}: {c.Message}").Should().BeEmpty();
        report.Checks.Single(c => c.Id == "validation.boolean.n.false").Message.Should().Contain("refused as a type: `n: 0` is answered HTTP 400 with another message");
        report.Checks.Single(c => c.Id == "validation.boolean.n.true").Message.Should().Contain("refused as a type: `n: 1` is answered HTTP 200");
    }

    [Fact]
    public async Task ServerThatNamesInvalidType_IsBelieved_WithoutASecondProbe()
    {
        await using var server = await FakeAcsServer.StartAsync();
        var report = await ConformanceRunner.RunAsync(Suite.Options(server.BaseUrl, "validation.boolean.n.false"));

        report.Checks.Single().Verdict.Should().Be(Verdict.Pass);
        server.CompletionRequests.Should().Be(1);
    }
}
