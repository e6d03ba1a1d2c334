using System.Net;
using Microsoft.Extensions.Configuration;
using MockServer.Hosting;

namespace MockServer.Tests.Workbench;

/// <summary>
/// Where the workbench is on (issue 11): in the process (<see cref="MockLlmServer.RunAsync"/>, which reads its options with
/// <c>OptionsFrom</c>) unless <c>--workbench false</c>; in process only with <see cref="MockServerOptions.EnableWorkbench"/>;
/// and a host using <see cref="MockLlmHandler"/> (the WireMock.Net adapter) hands the mock <c>/workbench</c> only then.
/// </summary>
public sealed class WorkbenchOptionTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(true, "--workbench", "true")]
    [InlineData(false, "--workbench", "false")]
    [InlineData(false, "--workbench=False")]
    [InlineData(false, "--MockServer:Workbench", "false")]
    public async Task The_process_serves_the_workbench_unless_told_not_to(bool served, params string[] args)
    {
        CommandLineArguments.Check(args);
        var configuration = new ConfigurationBuilder().AddCommandLine(args).Build();

        var options = MockLlmServer.OptionsFrom(configuration);
        await using var server = await MockLlmServer.StartAsync(options);
        using var client = WorkbenchServingTests.Root(server);
        using var page = await client.GetAsync("workbench/");

        options.EnableWorkbench.Should().Be(served);
        page.StatusCode.Should().Be(served ? HttpStatusCode.OK : HttpStatusCode.NotFound);
    }

    [Fact]
    public void A_value_that_is_not_true_or_false_names_the_flag()
    {
        var configuration = new ConfigurationBuilder().AddCommandLine(["--workbench", "off"]).Build();

        var act = () => MockLlmServer.OptionsFrom(configuration);

        act.Should().Throw<ArgumentException>().WithMessage("--workbench takes true or false, e.g. --workbench false.");
    }

    [Fact]
    public void Help_lists_the_flag()
    {
        CommandLineArguments.Usage.Should().Contain("--workbench false");
    }

    [Fact]
    public async Task A_host_hands_the_mock_the_workbench_paths_only_when_it_is_on()
    {
        await using var on = await MockLlmHandler.CreateAsync(new MockServerOptions { EnableWorkbench = true });
        await using var off = await MockLlmHandler.CreateAsync();

        foreach (var path in new[] { "/workbench", "/workbench/", "/workbench/workbench.js", "/Workbench/index.html", "/workbench/no-such-file" })
        {
            on.Owns(Request(path)).Should().BeTrue(path);
            off.Owns(Request(path)).Should().BeFalse(path);
        }

        on.Owns(Request("/workbenches")).Should().BeFalse("a path that only starts with the same letters is the host's");
    }

    [Fact]
    public async Task Through_a_host_the_page_is_served_by_the_mock()
    {
        await using var handler = await MockLlmHandler.CreateAsync(new MockServerOptions { EnableWorkbench = true });
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { Request = { Path = "/workbench/workbench.js", Method = "GET" } };
        using var body = new MemoryStream();
        context.Response.Body = body;

        handler.Owns(context.Request).Should().BeTrue();
        await handler.HandleAsync(context);

        context.Response.StatusCode.Should().Be(200);
        context.Response.ContentType.Should().Be("text/javascript; charset=utf-8");
        context.Response.Headers.ContentSecurityPolicy.ToString().Should().StartWith("default-src 'none'");
        body.ToArray().Should().Equal(WorkbenchServingTests.EmbeddedAssets()["workbench.js"]);
    }

    private static Microsoft.AspNetCore.Http.HttpRequest Request(string path) =>
        new Microsoft.AspNetCore.Http.DefaultHttpContext { Request = { Path = path } }.Request;
}
