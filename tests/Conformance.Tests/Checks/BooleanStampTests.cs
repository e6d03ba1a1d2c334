using System.Globalization;
using Conformance.Tests.Http;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Checks;

/// <summary>
/// validation.boolean.*: a coercing server that stamps its messages with a per-request value of a shape no list knows
/// (a Unix time, a small counter, a 6-hex-digit id) is not taken for a server that tells the boolean from the number:
/// the stamps are learned from two answers to the same numeric body (docs/conformance.md, "Booleans").
/// </summary>
public sealed class BooleanStampTests
{
    public enum Stamp
    {
        UnixTime,
        Counter,
        ShortHex,
    }

    [Theory]
    [InlineData(Stamp.UnixTime, "{1} (request {0})")]
    [InlineData(Stamp.Counter, "{1} (request {0})")]
    [InlineData(Stamp.ShortHex, "{1} (id {0})")]
    [InlineData(Stamp.Counter, "[{0}] {1}")]
    [InlineData(Stamp.ShortHex, "request {0}: {1}.")]
    [InlineData(Stamp.UnixTime, "{1} (request {0})", true)]
    [InlineData(Stamp.Counter, "[{0}] {1}", true)]
    public async Task CoercingServerWithAnUnknownStamp_IsNeverPassed(Stamp stamp, string format, bool asFloat = false)
    {
        // asFloat: the number is shown as 0.0, so the boolean's message has fewer tokens and is lined up around the stamp.
        var count = 0;
        await using var server = await CoercingServerAsync(() =>
        {
            var i = Interlocked.Increment(ref count);
            var value = stamp switch
            {
                Stamp.UnixTime => (1_764_496_000 + (i * 7)).ToString(CultureInfo.InvariantCulture),
                Stamp.Counter => (8 + i).ToString(CultureInfo.InvariantCulture), // 9, 10, 11: the length changes too
                _ => (0xa3f000 + (i * 0x1b7)).ToString("x6", CultureInfo.InvariantCulture),
            };
            return value;
        }, format, asFloat);

        var report = await ConformanceRunner.RunAsync(Suite.Options(server.BaseUrl, "validation.boolean.n.false"));

        var check = report.Checks.Single();
        check.Verdict.Should().Be(Verdict.Fail, check.Message);
        check.Message.Should().Be("the server refused `n: false` exactly as it refuses `n: 0`: the boolean was coerced, not refused");
        report.Observations["validation.boolean.n.false.coerced"].Should().Be("true");
    }

    [Theory]
    [InlineData("request id req_{0}")]
    [InlineData("trace {1}")]
    [InlineData("ref {2}")]
    [InlineData("at {3}")]
    public async Task CoercingServerWithAKnownStampShape_IsReportedAsCoercion(string shape)
    {
        // Prefixed ids, UUIDs, 16 hex digits and ISO timestamps: the shapes stripped even when two answers can't be lined up.
        var count = 0;
        await using var server = await CoercingServerAsync(() =>
        {
            var i = Interlocked.Increment(ref count);
            return string.Format(
                CultureInfo.InvariantCulture,
                shape,
                $"abc{i}x9k2m",
                new Guid(i, 0, 0, [1, 2, 3, 4, 5, 6, 7, (byte)i]),
                (0x5eed0000_0000_0000UL + (ulong)i).ToString("x16", CultureInfo.InvariantCulture),
                new DateTimeOffset(2026, 11, 30, 9, i, 4, 123, TimeSpan.Zero).ToString("o", CultureInfo.InvariantCulture));
        }, "{1} ({0})", asFloat: false);

        var report = await ConformanceRunner.RunAsync(Suite.Options(server.BaseUrl, "validation.boolean.n.false"));

        var check = report.Checks.Single();
        check.Verdict.Should().Be(Verdict.Fail);
        check.Message.Should().Be("the server refused `n: false` exactly as it refuses `n: 0`: the boolean was coerced, not refused");
    }

    [Fact]
    public async Task ServerPrintingTheCoercedValueAsFalse_IsReportedAsCoercion()
    {
        // No stamp: pydantic in lax mode prints the coerced value as False, "got False." against "got 0.".
        await using var server = await CoercingServerAsync(() => string.Empty, "{1}.", asFloat: false);

        var report = await ConformanceRunner.RunAsync(Suite.Options(server.BaseUrl, "validation.boolean.n.false"));

        var check = report.Checks.Single();
        check.Verdict.Should().Be(Verdict.Fail);
        check.Message.Should().Be("the server refused `n: false` exactly as it refuses `n: 0`: the boolean was coerced, not refused");
    }

    [Fact]
    public async Task StrictServerThatStampsItsMessages_StillPassesOnAMessageThatNamesTheType()
    {
        // The refusals differ in what they say (the type against the range), beyond the stamp: a type refusal, without a code.
        var count = 0;
        await using var server = await StampingServerAsync(n => Json.Kind(n) == System.Text.Json.JsonValueKind.False
            ? "n must be an integer, not a boolean"
            : "n must be at least 1, got " + n.ToJsonString(), () => (1_764_496_000 + Interlocked.Increment(ref count)).ToString(CultureInfo.InvariantCulture));

        var report = await ConformanceRunner.RunAsync(Suite.Options(server.BaseUrl, "validation.boolean.n.false"));

        var check = report.Checks.Single();
        check.Verdict.Should().Be(Verdict.Pass, check.Message);
        check.Message.Should().EndWith("refused as a type: `n: 0` is answered HTTP 400 with another message");
    }

    [Fact]
    public async Task AnswersThatDifferBeyondTheMessage_AreNotSentTwice()
    {
        // Another code already shows the type was told apart: no second numeric probe is spent.
        var numeric = 0;
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var n = Json.TryParse(await reader.ReadToEndAsync())?["n"];
            var boolean = Json.Kind(n) == System.Text.Json.JsonValueKind.False;
            if (!boolean)
            {
                Interlocked.Increment(ref numeric);
            }

            ctx.Response.StatusCode = 400;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("{\"error\":{\"message\":\"bad n " + numeric + "\",\"type\":\"invalid_request_error\",\"param\":\"n\",\"code\":" + (boolean ? "null" : "\"out_of_range\"") + "}}");
        });

        var report = await ConformanceRunner.RunAsync(Suite.Options(server.BaseUrl, "validation.boolean.n.false"));

        report.Checks.Single().Verdict.Should().Be(Verdict.Pass);
        numeric.Should().Be(1);
    }

    /// <summary>A Python-style server that coerces false to 0 (pydantic lax) and stamps each message with <paramref name="stamp"/>.</summary>
    private static Task<TinyServer> CoercingServerAsync(Func<string> stamp, string format, bool asFloat) =>
        StampingServerAsync(
            n => "n must be at least 1, got " + (Json.Kind(n) == System.Text.Json.JsonValueKind.False ? "False" : asFloat ? n.ToJsonString() + ".0" : n.ToJsonString()),
            stamp,
            format);

    /// <summary>Answers every request with 400 and the message <paramref name="format"/> builds from the stamp ({0}) and what it says ({1}).</summary>
    private static Task<TinyServer> StampingServerAsync(Func<System.Text.Json.Nodes.JsonNode, string> say, Func<string> stamp, string format = "{1} (request {0})") =>
        TinyServer.StartAsync(async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var n = Json.TryParse(await reader.ReadToEndAsync())?["n"];
            ctx.Response.ContentType = "application/json";
            if (n is null)
            {
                await ctx.Response.WriteAsync("{}");
                return;
            }

            ctx.Response.StatusCode = 400;
            var message = System.Text.Json.JsonSerializer.Serialize(string.Format(CultureInfo.InvariantCulture, format, stamp(), say(n)));
            await ctx.Response.WriteAsync("{\"error\":{\"message\":" + message + ",\"type\":\"invalid_request_error\",\"param\":\"n\",\"code\":null}}");
        });
}
