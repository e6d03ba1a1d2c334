using Conformance.Http;
using Conformance.Reporting;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Http;

/// <summary>The budget counts the tokens that came back, not the requests that were tried (docs/conformance.md, "How the budget counts").</summary>
public sealed class BudgetTests
{
    private const int Reserved = 500;

    private static string Chunk(string text, string? usage = null) =>
        "data: {\"id\":\"c\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"text\":\"" + text
        + "\",\"logprobs\":null,\"finish_reason\":null}]" + (usage is null ? string.Empty : ",\"usage\":" + usage) + "}\n\n";

    private static async Task<(Exchange Exchange, EndpointClient Client)> SendAsync(TinyServer server, bool stream, Action<ConformanceOptions>? configure = null)
    {
        var options = Suite.Options(server.BaseUrl);
        configure?.Invoke(options);
        var client = new EndpointClient(options, new TokenBudget(4_000), new Redactor(Suite.Key));
        var exchange = await client.SendAsync(new RequestSpec("p", HttpMethod.Post, "completions", "{}", Stream: stream, TokenEstimate: Reserved), CancellationToken.None);
        return (exchange, client);
    }

    [Fact]
    public async Task RunAsync_DeadPort_SpendsNothingAndSaysNothingAnswered()
    {
        var options = Suite.Options(new Uri($"http://127.0.0.1:{Ports.Closed()}/v1"));

        var report = await ConformanceRunner.RunAsync(options);

        report.Usage.Requests.Should().BeGreaterThan(10);
        report.Usage.Responses.Should().Be(0);
        report.Usage.TokensSpent.Should().Be(0, "a refused connection generates nothing");
        report.NothingAnswered.Should().BeTrue();
        var console = ConsoleReport.Summary(report);
        console.Should().Contain($"tokens spent: 0 of {options.TokenBudget};")
            .And.Contain($"nothing answered: 0 of {report.Usage.Requests} requests got a response");
        JsonReport.Serialize(report).Should().Contain("\"responses\": 0");
    }

    [Fact]
    public async Task RunAsync_ServerThatAnswers_DoesNotSayNothingAnswered()
    {
        await using var server = await TinyServer.StartAsync(ctx =>
        {
            ctx.Response.StatusCode = 404;
            return Task.CompletedTask;
        });

        var report = await ConformanceRunner.RunAsync(Suite.Options(server.BaseUrl, "models", "completion.shape"));

        report.Usage.Responses.Should().Be(report.Usage.Requests).And.BeGreaterThan(0);
        report.NothingAnswered.Should().BeFalse();
        ConsoleReport.Summary(report).Should().NotContain("nothing answered");
    }

    [Fact]
    public async Task SendAsync_StreamWithoutUsage_CostsOneTokenPerChunkWithText()
    {
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.ContentType = "text/event-stream";
            await ctx.Response.WriteAsync(Chunk("a") + Chunk("b") + Chunk("c") + Chunk(string.Empty) + "data: [DONE]\n\n");
        });

        var (exchange, client) = await SendAsync(server, stream: true);
        using (client)
        {
            exchange.IsSuccess.Should().BeTrue(exchange.Describe());
            client.Budget.Spent.Should().Be(3, "three chunks carried text; the empty finish chunk carried none");
        }
    }

    [Fact]
    public async Task SendAsync_StreamWithUsage_CostsTheReportedTotal()
    {
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.ContentType = "text/event-stream";
            await ctx.Response.WriteAsync(Chunk("a") + Chunk(string.Empty, "{\"prompt_tokens\":40,\"completion_tokens\":2,\"total_tokens\":42}") + "data: [DONE]\n\n");
        });

        var (_, client) = await SendAsync(server, stream: true);
        using (client)
        {
            client.Budget.Spent.Should().Be(42);
        }
    }

    [Fact]
    public async Task SendAsync_EndlessStreamCutAtTheEventCap_CostsTheChunksThatArrived()
    {
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.ContentType = "text/event-stream";
            while (!ctx.RequestAborted.IsCancellationRequested)
            {
                await ctx.Response.WriteAsync(Chunk("x"), ctx.RequestAborted);
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            }
        });

        var (exchange, client) = await SendAsync(server, stream: true, o => o.MaxStreamEvents = 10);
        using (client)
        {
            exchange.Failure.Should().Be(TransportFailure.StreamCapReached);
            var received = exchange.Sse!.Events.Count;
            received.Should().BeGreaterThan(10);
            client.Budget.Spent.Should().Be(received, "each chunk that arrived carried one token, and nothing after the cut was read");
        }
    }

    [Theory]
    [InlineData("{\"choices\":[{\"text\":\"abcdefghijklmnop\",\"logprobs\":{\"tokens\":[\"a\",\"b\",\"c\"]}}]}", 3)]
    [InlineData("{\"choices\":[{\"text\":\"abcdefghij\",\"logprobs\":null}]}", 3)]
    [InlineData("{\"choices\":[{\"text\":\"abcd\"},{\"text\":\"efgh\"}]}", 2)]
    [InlineData("{\"choices\":[{\"text\":\"abcdefghij\"}],\"usage\":{\"total_tokens\":17}}", 17)]
    public async Task SendAsync_Body_CostsUsageElseLogprobsElseAQuarterOfItsCharacters(string body, int expected)
    {
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(body);
        });

        var (_, client) = await SendAsync(server, stream: false);
        using (client)
        {
            client.Budget.Spent.Should().Be(expected);
        }
    }

    [Theory]
    [InlineData(400)]
    [InlineData(503)]
    public async Task SendAsync_RefusedRequest_CostsNothing(int status)
    {
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("{\"error\":{\"message\":\"no\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null},\"usage\":{\"total_tokens\":99}}");
        });

        var (exchange, client) = await SendAsync(server, stream: false, o => o.MaxRetries = 0);
        using (client)
        {
            exchange.Status.Should().Be(status);
            client.Budget.Spent.Should().Be(0);
            client.Budget.TryReserve(4_000).Should().BeTrue("the reservation was released");
        }
    }
}
