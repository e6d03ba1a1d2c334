using System.Net;

namespace MockServer.Tests.Functional;

/// <summary>The workbench in the process users run (issue 11): on by default, linked from the start-up line; <c>--workbench false</c> turns it off.</summary>
public sealed partial class ProcessTests
{
    [Fact]
    public async Task The_process_serves_the_workbench_and_its_start_up_line_links_it()
    {
        await using var server = await ServeAsync("--urls", "http://127.0.0.1:0");
        var page = new Uri(server.Client.BaseAddress!, "/workbench/");

        using var response = await server.Client.GetAsync(page);

        server.StartLine.Should().EndWith($", workbench {page}");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
    }

    [Fact]
    public async Task With_workbench_false_the_process_neither_serves_nor_links_it()
    {
        await using var server = await ServeAsync("--urls", "http://127.0.0.1:0", "--workbench", "false");

        using var response = await server.Client.GetAsync(new Uri(server.Client.BaseAddress!, "/workbench/"));

        server.StartLine.Should().NotContain("workbench");
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
