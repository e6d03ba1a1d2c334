using Conformance.Http;
using Conformance.Reporting;
using Conformance.Tests.Fakes;

namespace Conformance.Tests.Http;

/// <summary>
/// A server that closes the connection after every stream without saying so (spec-facts §12.1) makes the pooled client
/// reuse a dead connection now and then. That race is no behaviour of the endpoint: verdicts must not depend on it.
/// </summary>
public sealed class TransportRaceTests
{
    private const int Runs = 20;

    [Fact]
    public async Task RunAsync_ServerClosingAfterEveryStream_GivesIdenticalVerdictsInTwentyRuns()
    {
        await using var fake = await FakeAcsServer.StartAsync();
        await using var proxy = StreamClosingProxy.Start(fake.BaseUrl);
        var reports = new List<ConformanceReport>();

        for (var run = 0; run < Runs; run++)
        {
            reports.Add(await ConformanceRunner.RunAsync(Suite.Options(proxy.BaseUrl, "stream", "completion", "models", "validation.boolean")));
        }

        proxy.StreamsClosed.Should().BeGreaterThan(Runs, "every run streams, and every stream ends with a close");
        reports.Select(Verdicts).Distinct().Should().ContainSingle("a connection closed after a stream must never change a verdict");
        reports[0].Checks.Should().OnlyContain(c => c.Verdict == Verdict.Pass, "the fake behind the proxy conforms");
        reports.Skip(1).Select(r => ReportDiff.Compare(reports[0], r)).Should().OnlyContain(d => d.Verdicts.Count == 0 && !d.Regressed);
    }

    [Fact]
    public async Task SendAsync_PooledConnectionClosedAfterAStream_IsRetriedOnceOnAFreshConnectionAndSaysSo()
    {
        await using var fake = await FakeAcsServer.StartAsync();
        await using var proxy = StreamClosingProxy.Start(fake.BaseUrl);
        var options = Suite.Options(proxy.BaseUrl);
        options.MaxConcurrency = 1;
        using var client = new EndpointClient(options, new TokenBudget(1_000), new Redactor(Suite.Key));
        var body = "{\"model\":\"" + FakeAcsServer.Model + "\",\"prompt\":\"Hi\",\"max_tokens\":2,\"stream\":true}";
        var stream = await client.SendAsync(new RequestSpec("s", HttpMethod.Post, "completions", body, Stream: true, TokenEstimate: 80), CancellationToken.None);

        // One connection in the pool, and the server has closed it: this request reuses it and meets the close. A POST:
        // HttpClient itself resends a body-less request that meets a closed pooled connection, but not one with a body.
        var next = await client.SendAsync(new RequestSpec("c", HttpMethod.Post, "completions", body.Replace("true", "false", StringComparison.Ordinal), TokenEstimate: 80), CancellationToken.None);

        stream.Status.Should().Be(200);
        stream.TransportRetry.Should().BeNull();
        next.Status.Should().Be(200, next.Describe());
        next.Failure.Should().Be(TransportFailure.None);
        next.Attempts.Should().Be(2);
        next.TransportRetry.Should().NotBeNullOrEmpty();
        next.Describe().Should().Contain("retried once on a fresh connection");
        client.TransportRetryCount.Should().Be(1);
        client.ResponseCount.Should().Be(2, "the failed attempt got no status line");
    }

    [Fact]
    public async Task RunAsync_OneConnectionClosedAfterEachStream_CountsTheRetriesInTheReportAndTheConsole()
    {
        await using var fake = await FakeAcsServer.StartAsync();
        await using var proxy = StreamClosingProxy.Start(fake.BaseUrl);
        var options = Suite.Options(proxy.BaseUrl, "stream", "logprobs");

        // One request at a time: the request after each stream reuses the connection the stream's server closed.
        options.MaxConcurrency = 1;

        var report = await ConformanceRunner.RunAsync(options);

        report.Checks.Should().OnlyContain(c => c.Verdict == Verdict.Pass);
        var retries = report.Usage.TransportRetries;
        retries.Should().BePositive();
        report.Usage.Requests.Should().Be(report.Usage.Responses + retries, "each retried request failed once without an answer");
        ConsoleReport.Summary(report).Should().Contain($"resent after a transport race: {retries};");
        JsonReport.Serialize(report).Should().Contain($"\"transportRetries\": {retries}");
    }

    [Fact]
    public async Task SendAsync_ConnectionRefused_IsNotRetried()
    {
        var options = Suite.Options(new Uri($"http://127.0.0.1:{Ports.Closed()}/v1"));
        using var client = new EndpointClient(options, new TokenBudget(1_000), new Redactor(Suite.Key));

        var exchange = await client.SendAsync(new RequestSpec("m", HttpMethod.Get, "models", null), CancellationToken.None);

        exchange.Failure.Should().Be(TransportFailure.Connection);
        exchange.Attempts.Should().Be(1, "a refused connection is no race: a retry would be refused too");
        client.TransportRetryCount.Should().Be(0);
    }

    private static string Verdicts(ConformanceReport report) =>
        string.Join("\n", report.Checks.Select(c => $"{c.Id}: {c.Verdict} {(c.Verdict == Verdict.Pass ? string.Empty : c.Message)}"));
}
