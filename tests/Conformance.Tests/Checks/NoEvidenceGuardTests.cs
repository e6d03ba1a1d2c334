using System.Text.Json.Nodes;
using Conformance.Checks;
using Conformance.Profiles;
using Conformance.Tests.Http;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Checks;

/// <summary>
/// The guard of issue 6, "No verdict without evidence": every check of the catalogue, under every profile, runs against
/// servers that give it nothing to judge, and none may pass. A new check that passes on nothing fails this test.
/// </summary>
public sealed class NoEvidenceGuardTests
{
    /// <summary>What the endpoint answers to every route.</summary>
    public enum Emptiness
    {
        /// <summary>200 with an empty body, streams included.</summary>
        EmptyBody,

        /// <summary>200 <c>{}</c>; a stream request gets an SSE stream of <c>data: {}</c> then <c>data: [DONE]</c>.</summary>
        EmptyObjectSseStream,

        /// <summary>200 <c>{}</c> as application/json, stream requests included.</summary>
        EmptyObjectPlainStream,

        /// <summary>200 <c>{"choices":[{}]}</c>; a stream request gets a few such events then <c>data: [DONE]</c>.</summary>
        EmptyChoiceSseStream,

        /// <summary>200 <c>{"choices":[]}</c>; a stream request gets a few such events then <c>data: [DONE]</c>.</summary>
        NoChoicesSseStream,

        /// <summary>A port that was bound and then closed: every connection is refused.</summary>
        ConnectionRefused,
    }

    /// <summary>
    /// Checks whose rule binds only on an event the endpoint may never cause: they are not applicable, and say so, when it
    /// did not happen. Every other "not applicable" must come from the profile.
    /// </summary>
    private static readonly Dictionary<string, string> ConditionalRules = new(StringComparer.Ordinal)
    {
        ["errors.retry-after"] = "no 429/503",

        // Judged only when the endpoint shows them on its own: the suite never provokes an error event or a rate limit.
        ["errors.stream-error-event"] = "no mid-stream error event was seen",
        ["limits.ratelimit-headers"] = "no answer of this run carried x-ratelimit-* headers",

        // A completion streamed in one chunk conforms; none of the shapes above sends a chunk with text, so the guard
        // still sees this check fail on nothing.
        ["stream.constant-identity"] = "a single completion chunk: nothing to compare",
    };

    public static TheoryData<string, Emptiness> Cases()
    {
        var data = new TheoryData<string, Emptiness>();
        foreach (var profile in BuiltInProfiles.All.Keys)
        {
            foreach (var nothing in Enum.GetValues<Emptiness>())
            {
                data.Add(profile, nothing);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EveryCheck_GivenNothingToJudge_DoesNotPass(string profile, Emptiness nothing)
    {
        // Arrange
        await using var server = nothing == Emptiness.ConnectionRefused ? null : await TinyServer.StartAsync(ctx => AnswerNothingAsync(ctx, nothing));
        var options = Suite.Options(server?.BaseUrl ?? new Uri($"http://127.0.0.1:{Ports.Closed()}/v1"));
        options.Profile = profile;

        // A budget that never stops a check: a skip would hide a pass.
        options.TokenBudget = 1_000_000;

        // The opt-in tool-call probe too: off, its checks are not applicable without judging anything, which would
        // leave them unguarded; on, they must fail on nothing like every other check.
        options.ToolProbe = true;

        // Act
        var report = await ConformanceRunner.RunAsync(options);

        // Assert
        report.Checks.Should().HaveCount(Catalogue.All.Count);
        var level = BuiltInProfiles.All[profile];
        var judgedOnNothing = report.Checks
            .Where(c => c.Verdict == Verdict.Pass
                || (c.Verdict == Verdict.NotApplicable && level.LevelFor(c.Id) != CheckLevel.NotApplicable
                    && !(ConditionalRules.TryGetValue(c.Id, out var because) && c.Message.Contains(because, StringComparison.Ordinal)))
                || c.Verdict == Verdict.Skipped)
            .Select(c => $"{c.Id}: {c.Verdict} \"{c.Message}\"");
        judgedOnNothing.Should().BeEmpty("the endpoint gave these checks nothing to judge ({0} under {1})", nothing, profile);
        report.Checks.Where(c => c.Verdict is Verdict.Fail or Verdict.Warn or Verdict.Divergence)
            .Should().OnlyContain(c => !string.IsNullOrWhiteSpace(c.Message) && c.Evidence != null, "a failure says what was missing and shows the answer");
    }

    [Fact]
    public async Task LogprobsRules_AStreamWithoutLogprobs_PassOnlySayingWhatWasNotJudged()
    {
        // Partial evidence: the non-streamed and echo logprobs are judged, the stream asked for logprobs carried none.
        var fake = new Fakes.FakeServerOptions();
        fake.Violations.Add(Fakes.Violation.StreamLogprobsNull);

        var report = await Suite.RunAsync(fake, null, "logprobs.top-k-size", "logprobs.stream-per-chunk");

        var shape = report.Checks.Single(c => c.Id == "logprobs.top-k-size");
        shape.Verdict.Should().Be(Verdict.Pass);
        shape.Message.Should().Be("2 logprobs objects (non-streamed, echo); 5 streamed chunk(s) with text carried no logprobs and were not judged (logprobs.stream-per-chunk reports that)");
        report.Checks.Single(c => c.Id == "logprobs.stream-per-chunk").Verdict.Should().Be(Verdict.Fail);
    }

    private static async Task AnswerNothingAsync(HttpContext ctx, Emptiness nothing)
    {
        var stream = false;
        if (ctx.Request.ContentLength is > 0 || ctx.Request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(ctx.Request.Body);
            stream = Json.Kind(Json.TryParse(await reader.ReadToEndAsync())?["stream"]) == System.Text.Json.JsonValueKind.True;
        }

        ctx.Response.StatusCode = 200;
        switch (nothing)
        {
            case Emptiness.EmptyObjectSseStream when stream:
                ctx.Response.ContentType = "text/event-stream";
                await ctx.Response.WriteAsync("data: {}\n\ndata: [DONE]\n\n");
                break;
            case Emptiness.EmptyObjectSseStream or Emptiness.EmptyObjectPlainStream:
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync("{}");
                break;
            case Emptiness.EmptyChoiceSseStream or Emptiness.NoChoicesSseStream:
                var body = nothing == Emptiness.EmptyChoiceSseStream ? "{\"choices\":[{}]}" : "{\"choices\":[]}";
                ctx.Response.ContentType = stream ? "text/event-stream" : "application/json";
                await ctx.Response.WriteAsync(stream ? string.Concat(Enumerable.Repeat($"data: {body}\n\n", 3)) + "data: [DONE]\n\n" : body);
                break;
            default:
                break;
        }
    }
}
