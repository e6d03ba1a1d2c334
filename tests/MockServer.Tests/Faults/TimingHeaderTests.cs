using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MockServer.Catalog;
using MockServer.Errors;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;
using MockServer.Timing;

namespace MockServer.Tests.Faults;

/// <summary>
/// The timing surfaces (issue 8, "a timing model … overridable per request by a header"): <c>X-Mock-Timing</c> parsed
/// strictly (a typo is a 400 naming the header, never a silently different speed), fixture and model <c>timing</c>
/// blocks, and how <see cref="TimingResolver"/> layers them into the <see cref="StreamTiming"/> the engine paces by.
/// </summary>
public sealed class TimingHeaderTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    private const string Header = "X-Mock-Timing";

    public static TheoryData<string> Paths => ["completions", "chat/completions"];

    private static string Body(string path) => path == "completions"
        ? """{"model":"llama-8b","prompt":"Hello","max_tokens":3,"seed":1}"""
        : """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Hello"}],"max_tokens":3,"seed":1}""";

    private async Task<(int Status, string Body)> SendAsync(string path, params string[] timings)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(Body(path), Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var timing in timings)
        {
            request.Headers.TryAddWithoutValidation(Header, timing);
        }

        using var response = await server.Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("completions", "ttft=5", "unknown field 'ttft'")]
    [InlineData("completions", "ttft_ms=fast", "ttft_ms must be a number")]
    [InlineData("completions", "ttft_ms=-1", "ttft_ms must be a number")]
    [InlineData("completions", "itl_ms=5;tps=10", "not both")]
    [InlineData("completions", "jitter=1", "jitter must be at least 0 and less than 1")]
    [InlineData("chat/completions", "tps=0", "tps must be at least 1/60")]
    [InlineData("chat/completions", "ttft_ms=1;ttft_ms=2", "appears more than once")]
    [InlineData("chat/completions", "ttft_ms=4000000", "ttft_ms must be from 0 to 3600000")]
    [InlineData("chat/completions", "itl_ms", "not key=value")]
    [InlineData("chat/completions", "", "not key=value")]
    public async Task A_bad_timing_header_is_a_400_naming_the_header(string path, string timing, string reason)
    {
        var (status, body) = await SendAsync(path, timing);

        status.Should().Be(400, body);
        body.ShouldConformTo(Schemas.Error);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        error.GetProperty("param").GetString().Should().Be(Header);
        error.GetProperty("message").GetString().Should().Contain(Header).And.Contain(reason);
    }

    [Fact]
    public async Task Two_timing_headers_are_a_400()
    {
        var (status, body) = await SendAsync("completions", "ttft_ms=1", "itl_ms=2");

        status.Should().Be(400, body);
        JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("param").GetString().Should().Be(Header);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task A_valid_timing_header_is_accepted(string path)
    {
        // Zero waits, so the answer comes at once on the real clock this shared server runs on.
        var (status, body) = await SendAsync(path, "ttft_ms=0;prefill_ms_per_token=0;itl_ms=0.0;jitter=0.5");

        status.Should().Be(200, body);
    }

    [Fact]
    public void The_header_parses_into_the_timing_the_engine_reads()
    {
        var timing = TimingHeader.Parse("ttft_ms=250;prefill_ms_per_token=0.5;tps=40;jitter=0.1");

        timing.TimeToFirstToken.Should().Be(TimeSpan.FromMilliseconds(250));
        timing.PrefillPerPromptToken.Should().Be(TimeSpan.FromMilliseconds(0.5));
        timing.Interval.Should().Be(TimeSpan.FromMilliseconds(25), "40 tokens per second");
        timing.Jitter.Should().Be(0.1);
    }

    [Fact]
    public void Header_over_fixture_over_model_over_server_field_by_field()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[Header] = "ttft_ms=250;tps=50";
        var model = Model(new StreamTiming { InterTokenLatency = TimeSpan.FromMilliseconds(30), Jitter = 0.2 });
        var fixture = new StreamTiming { TimeToFirstToken = TimeSpan.FromMilliseconds(100), PrefillPerPromptToken = TimeSpan.FromMilliseconds(1) };
        var options = new MockServerOptions { Timing = new StreamTiming { TimeToFirstToken = TimeSpan.FromMilliseconds(5), InterTokenLatency = TimeSpan.FromMilliseconds(10) } };

        var resolved = TimingResolver.Resolve(context, model, fixture, options);

        resolved.TimeToFirstToken.Should().Be(TimeSpan.FromMilliseconds(250), "the header names it");
        resolved.Interval.Should().Be(TimeSpan.FromMilliseconds(20), "the header's tps replaces the model's itl");
        resolved.PrefillPerPromptToken.Should().Be(TimeSpan.FromMilliseconds(1), "only the fixture names it");
        resolved.Jitter.Should().Be(0.2, "only the model names it");
    }

    [Fact]
    public void A_bad_header_throws_the_400_the_endpoint_answers_before_any_byte()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[Header] = "itl_ms=5;tps=10";

        var resolve = () => TimingResolver.Resolve(context, Model(null), null, new MockServerOptions());

        resolve.Should().Throw<ApiErrorException>().Which.Error.Should().Match<ApiError>(e => e.Status == 400 && e.Param == Header);
    }

    [Fact]
    public async Task Fixture_and_model_timing_blocks_load_and_reach_the_resolved_timing()
    {
        var fixtures = await FixtureLoader.LoadAsync(includeDefaults: false, directory: null, [new FixtureDocument("timed.json", """
            {"models": [{"id": "timed", "root": "r", "chat_template": "chatml", "timing": {"ttft_ms": 800, "itl_ms": 40, "jitter": 0.25}}],
             "completions": [{"match": {"prompt": "Hi"}, "tokens": ["a"], "timing": {"ttft_ms": 120, "prefill_ms_per_token": 2}}],
             "chat": [{"match": {"user": "Hi"}, "tokens": ["a"], "timing": {"tps": 100}}]}
            """)]);
        var model = new ModelCatalog(fixtures.Models, 0).Find("timed")!;
        var completion = fixtures.Match("timed", "Hi")!;
        var chat = fixtures.Chats.Single();

        model.Timing.Should().BeEquivalentTo(new StreamTiming { TimeToFirstToken = TimeSpan.FromMilliseconds(800), InterTokenLatency = TimeSpan.FromMilliseconds(40), Jitter = 0.25 });
        var forCompletion = TimingResolver.Resolve(new DefaultHttpContext(), model, completion.Timing, new MockServerOptions());
        forCompletion.TimeToFirstToken.Should().Be(TimeSpan.FromMilliseconds(120));
        forCompletion.PrefillPerPromptToken.Should().Be(TimeSpan.FromMilliseconds(2));
        forCompletion.Interval.Should().Be(TimeSpan.FromMilliseconds(40), "from the model");
        var forChat = TimingResolver.Resolve(new DefaultHttpContext(), model, chat.Timing, new MockServerOptions());
        forChat.Interval.Should().Be(TimeSpan.FromMilliseconds(10), "100 tokens per second");
        forChat.TimeToFirstToken.Should().Be(TimeSpan.FromMilliseconds(800), "from the model");
    }

    private static ServedModel Model(StreamTiming? timing) => new("m", "r", 4096, 0, "vllm", 1) { Timing = timing };
}
