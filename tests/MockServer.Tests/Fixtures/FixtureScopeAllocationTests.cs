using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MockServer.Fixtures;
using MockServer.Journal;

namespace MockServer.Tests.Fixtures;

/// <summary>
/// Sessions cost nothing on the hot path while no run-time fixture exists (throughput is measured): finding a request's
/// fixtures and matching its prompt allocate nothing; with run-time fixtures, only their header lookup is added.
/// </summary>
public sealed class FixtureScopeAllocationTests
{
    [Fact]
    public async Task Finding_the_scope_and_matching_allocate_nothing_with_or_without_run_time_fixtures()
    {
        await using var server = await RuntimeServer.StartAsync();
        var runtime = server.Server.Services.GetRequiredService<RuntimeFixtures>();
        var context = new DefaultHttpContext();
        context.Request.Headers[RequestJournal.SessionHeader] = "alpha";

        var withoutRuntime = Measure(runtime, context);
        server.Fixtures.Add(RuntimeServer.Completion("other", " other"), "alpha");
        server.Fixtures.Add(RuntimeServer.Completion("global", " global"));
        var withRuntime = Measure(runtime, context);

        withoutRuntime.Should().Be(0);
        withRuntime.Should().Be(0);
        runtime.ScopeFor(context).Match("base-a", RuntimeServer.FilePrompt)!.Name.Should().Be("file-ping", "the measured path does find the file fixture");
    }

    private static long Measure(RuntimeFixtures runtime, HttpContext context)
    {
        runtime.ScopeFor(context).Match("base-a", RuntimeServer.FilePrompt); // warm up (JIT, static fields)
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            runtime.ScopeFor(context).Match("base-a", RuntimeServer.FilePrompt);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
