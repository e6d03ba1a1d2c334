using MockServer.Hosting;

namespace MockServer.Xunit.Tests;

/// <summary>One server for every class of the collection (xunit wants the definition in the test assembly).</summary>
[CollectionDefinition(Name)]
public sealed class SharedMockDefinition : ICollectionFixture<MockLlmServerFixture>
{
    public const string Name = "shared mock";

    /// <summary>The server the collection's first test met; every later test, of either class, must meet the same one.</summary>
    internal static MockLlmServer? First { get; set; }

    internal static async Task RunAsync(MockLlmServer server, HttpClient client)
    {
        First ??= server;
        server.Should().BeSameAs(First, "one server serves every class of the collection");
        await Dirt.ShouldBeFreshAsync(server, client);
        await Dirt.LeaveAsync(server, client);
    }
}

/// <summary><c>ICollectionFixture</c>: this class and <see cref="SecondCollectionClassTests"/> share one server, reset before each test.</summary>
[Collection(SharedMockDefinition.Name)]
public sealed class FirstCollectionClassTests(MockLlmServerFixture mock) : MockLlmServerTest(mock)
{
    [Fact]
    public Task A_test_meets_the_shared_server_as_it_started() => SharedMockDefinition.RunAsync(Server, Client);

    [Fact]
    public Task Another_test_meets_it_as_it_started_too() => SharedMockDefinition.RunAsync(Server, Client);
}

[Collection(SharedMockDefinition.Name)]
public sealed class SecondCollectionClassTests(MockLlmServerFixture mock) : MockLlmServerTest(mock)
{
    [Fact]
    public Task A_test_of_another_class_meets_the_same_server_as_it_started() => SharedMockDefinition.RunAsync(Server, Client);

    [Fact]
    public void BaseUrl_and_Client_point_at_the_server()
    {
        BaseUrl.Should().Be(Server.BaseUrl);
        Client.BaseAddress.Should().Be(new Uri(Server.BaseUrl + "/"));
        BaseUrl.Host.Should().Be("127.0.0.1");
    }
}
