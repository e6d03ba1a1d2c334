using MockServer.Hosting;
using Xunit;

namespace MockServer.Xunit;

/// <summary>
/// The base of a test class that shares a <typeparamref name="TFixture"/>: xunit constructs the test class anew for
/// every test and calls its <see cref="InitializeAsync"/> before the test, which resets the server
/// (<see cref="MockLlmServerFixture.ResetAsync"/>), so every test starts from the server as it was started, whatever the
/// tests before it left (a journal entry, a run-time fixture, a spent budget, a stream it walked away from).
/// </summary>
/// <typeparam name="TFixture">The fixture, <see cref="MockLlmServerFixture"/> or a class derived from it.</typeparam>
public abstract class MockLlmServerTest<TFixture> : IAsyncLifetime
    where TFixture : MockLlmServerFixture
{
    private HttpClient? _client;

    /// <summary>Keeps the fixture; the reset comes in <see cref="InitializeAsync"/>.</summary>
    /// <param name="mock">The class or collection fixture xunit passes to the test class's constructor.</param>
    protected MockLlmServerTest(TFixture mock)
    {
        ArgumentNullException.ThrowIfNull(mock);
        Mock = mock;
    }

    /// <summary>The shared fixture.</summary>
    protected TFixture Mock { get; }

    /// <summary>The shared server: <c>Server.Journal</c>, <c>Server.Fixtures</c>, <c>Server.Keys</c>.</summary>
    protected MockLlmServer Server => Mock.Server;

    /// <summary>The server's OpenAI base URL.</summary>
    protected Uri BaseUrl => Mock.BaseUrl;

    /// <summary>
    /// This test's own client for the server (made on first use, disposed after the test); <c>"completions"</c> and
    /// <c>"chat/completions"</c> are relative to it. Its <c>DefaultRequestHeaders</c> are this test's to change: unlike
    /// the fixture's shared <see cref="MockLlmServerFixture.Client"/>, nothing set here reaches another test.
    /// </summary>
    protected HttpClient Client => _client ??= Mock.CreateClient();

    /// <summary>
    /// Resets the server before the test: the requests an earlier test left running are ended and their journal
    /// entries and charges land first, then everything is put back. An override calls this base.
    /// </summary>
    public virtual Task InitializeAsync() => Mock.ResetAsync();

    /// <summary>Disposes this test's <see cref="Client"/>; an override calls this base.</summary>
    public virtual Task DisposeAsync()
    {
        _client?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// <see cref="MockLlmServerTest{TFixture}"/> for the default <see cref="MockLlmServerFixture"/>:
/// <c>public class MyTests(MockLlmServerFixture mock) : MockLlmServerTest(mock), IClassFixture&lt;MockLlmServerFixture&gt;</c>.
/// </summary>
public abstract class MockLlmServerTest : MockLlmServerTest<MockLlmServerFixture>
{
    /// <summary>Keeps the fixture; the reset comes before each test (<see cref="MockLlmServerTest{TFixture}.InitializeAsync"/>).</summary>
    /// <param name="mock">The class or collection fixture xunit passes to the test class's constructor.</param>
    protected MockLlmServerTest(MockLlmServerFixture mock)
        : base(mock)
    {
    }
}
