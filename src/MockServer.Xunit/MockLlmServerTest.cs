using MockServer.Hosting;

namespace MockServer.Xunit;

/// <summary>
/// The base of a test class that shares a <typeparamref name="TFixture"/>: its constructor resets the server, and
/// xunit constructs the test class anew for every test, so every test starts from the server as it was started,
/// whatever the tests before it left (a journal entry, a run-time fixture, a spent budget).
/// </summary>
/// <typeparam name="TFixture">The fixture, <see cref="MockLlmServerFixture"/> or a class derived from it.</typeparam>
public abstract class MockLlmServerTest<TFixture>
    where TFixture : MockLlmServerFixture
{
    /// <summary>Keeps the fixture and resets its server.</summary>
    /// <param name="mock">The class or collection fixture xunit passes to the test class's constructor.</param>
    protected MockLlmServerTest(TFixture mock)
    {
        ArgumentNullException.ThrowIfNull(mock);
        Mock = mock;
        mock.Reset();
    }

    /// <summary>The shared fixture.</summary>
    protected TFixture Mock { get; }

    /// <summary>The shared server: <c>Server.Journal</c>, <c>Server.Fixtures</c>, <c>Server.Keys</c>.</summary>
    protected MockLlmServer Server => Mock.Server;

    /// <summary>The server's OpenAI base URL.</summary>
    protected Uri BaseUrl => Mock.BaseUrl;

    /// <summary>A client for the server; <c>"completions"</c> and <c>"chat/completions"</c> are relative to it.</summary>
    protected HttpClient Client => Mock.Client;
}

/// <summary>
/// <see cref="MockLlmServerTest{TFixture}"/> for the default <see cref="MockLlmServerFixture"/>:
/// <c>public class MyTests(MockLlmServerFixture mock) : MockLlmServerTest(mock), IClassFixture&lt;MockLlmServerFixture&gt;</c>.
/// </summary>
public abstract class MockLlmServerTest : MockLlmServerTest<MockLlmServerFixture>
{
    /// <summary>Keeps the fixture and resets its server.</summary>
    /// <param name="mock">The class or collection fixture xunit passes to the test class's constructor.</param>
    protected MockLlmServerTest(MockLlmServerFixture mock)
        : base(mock)
    {
    }
}
