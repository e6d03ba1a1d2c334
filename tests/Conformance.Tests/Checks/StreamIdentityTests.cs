using Conformance.Tests.Http;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Checks;

/// <summary>stream.constant-identity needs an identity key to compare (else nothing to judge) and two chunks (one completion chunk is not applicable).</summary>
public sealed class StreamIdentityTests
{
    private const string Chunk = "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"text\":\"Hi\",\"logprobs\":null,\"finish_reason\":null}]}";
    private const string NoModel = "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"choices\":[{\"index\":0,\"text\":\"Hi\",\"logprobs\":null,\"finish_reason\":null}]}";
    private const string NoText = "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"finish_reason\":null}]}";
    private const string Anonymous = "{\"choices\":[{\"index\":0,\"text\":\"Hi\",\"logprobs\":null,\"finish_reason\":null}]}";

    [Theory]
    [InlineData(Anonymous, 3, "nothing to judge: none of 3 chunks carries id, created or model (stream.chunk-shape reports the missing keys)")]
    [InlineData(Anonymous, 1, "nothing to judge: none of 1 chunks carries id, created or model (stream.chunk-shape reports the missing keys)")]
    [InlineData(NoText, 1, "nothing to judge: the stream carried no completion chunk (2 event(s), 1 JSON chunk(s), 1 with choices, none with `text`)")]
    [InlineData(Chunk, 3, null)]
    [InlineData(NoModel, 3, null)]
    public async Task ConstantIdentity_JudgesOnlyWhatIsThere(string chunk, int count, string? nothingToJudge)
    {
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.ContentType = "text/event-stream";
            for (var i = 0; i < count; i++)
            {
                await ctx.Response.WriteAsync($"data: {chunk}\n\n");
            }

            await ctx.Response.WriteAsync("data: [DONE]\n\n");
        });

        var report = await ConformanceRunner.RunAsync(Suite.Options(server.BaseUrl, "stream.constant-identity"));

        var check = report.Checks.Single();
        if (nothingToJudge is null)
        {
            check.Verdict.Should().Be(Verdict.Pass);
            check.Message.Should().Be(chunk == Chunk
                ? "id, created, model constant over 3 chunks"
                : "id, created constant over 3 chunks; model on no chunk, not judged (stream.chunk-shape reports that)");
        }
        else
        {
            check.Verdict.Should().Be(Verdict.Fail);
            check.Message.Should().Be(nothingToJudge);
        }
    }

    [Fact]
    public async Task ConstantIdentity_ACompletionInOneChunk_IsNotApplicableAndSaysWhy()
    {
        // A short completion sent whole in one chunk conforms: there is no second chunk whose identity could differ.
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.ContentType = "text/event-stream";
            await ctx.Response.WriteAsync($"data: {Chunk}\n\ndata: [DONE]\n\n");
        });

        var report = await ConformanceRunner.RunAsync(Suite.Options(server.BaseUrl, "stream.constant-identity"));

        var check = report.Checks.Single();
        check.Verdict.Should().Be(Verdict.NotApplicable);
        check.Message.Should().Be("a single completion chunk: nothing to compare (identity can change only across two or more chunks)");
    }
}
