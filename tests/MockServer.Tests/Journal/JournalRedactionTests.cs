using System.ClientModel;
using System.Text.Json;
using MockServer.Budgets;
using MockServer.Journal;
using OpenAI;
using OpenAI.Chat;

namespace MockServer.Tests.Journal;

/// <summary>
/// Keys never reach the journal (issue 9: "headers with keys redacted"): not the bearer key, not an Azure-style
/// <c>api-key</c>, not a vendor header whose name says key, token or secret, not a cookie; in process or over the
/// admin route. A credential is replaced whole, so no part of it can be read back.
/// </summary>
public sealed class JournalRedactionTests
{
    private const string V1Key = "sk-journal-v1-key-7f3a9c";
    private const string AdminKey = "admin-journal-key-52d1e8";

    private static readonly (string Name, string Value)[] Credentials =
    [
        ("api-key", "azure-style-secret-81b2"),
        ("x-api-key", "anthropic-style-secret-0c4e"),
        ("X-Vendor-Token", "vendor-token-secret-6d77"),
        ("X-Client-Secret", "client-secret-value-9a01"),
        ("Cookie", "sid=cookie-secret-3f5b"),
        ("Proxy-Authorization", "Basic cHJveHktc2VjcmV0"),
    ];

    [Fact]
    public async Task No_key_appears_in_any_entry_in_process_or_at_the_admin_route()
    {
        await using var harness = await JournalHarness.StartAsync(o =>
        {
            o.Keys.Add(new ApiKeyEntry(V1Key) { Name = "team" });
            o.AdminKey = AdminKey;
        });
        var client = harness.V1(key: V1Key);
        foreach (var (name, value) in Credentials)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation(name, value).Should().BeTrue(name);
        }

        using (var response = await client.PostAsync("completions", JournalHarness.Json(JournalHarness.Count())))
        {
            ((int)response.StatusCode).Should().Be(200);
        }

        var sdk = new ChatClient("llama-8b-instruct", new ApiKeyCredential(V1Key), new OpenAIClientOptions { Endpoint = harness.Server.BaseUrl });
        await sdk.CompleteChatAsync([new UserChatMessage(JournalHarness.Greeting)]);

        var entries = await harness.SettledAsync(2);
        var admin = await harness.Root(AdminKey).GetStringAsync("admin/journal");

        var inProcess = JsonSerializer.Serialize(entries);
        foreach (var secret in Credentials.Select(c => c.Value).Append(V1Key).Append(AdminKey))
        {
            inProcess.Should().NotContain(secret);
            admin.Should().NotContain(secret);
            admin.Should().NotContain(secret[^6..], "not even the end of a key is kept (as in sk-...9c)");
        }

        foreach (var entry in entries)
        {
            entry.Headers["Authorization"].Should().Be(JournalHeaders.Redacted);
        }

        foreach (var (name, _) in Credentials)
        {
            entries[0].Headers[name].Should().Be(JournalHeaders.Redacted, name);
        }

        entries[0].Headers["Content-Type"].Should().Be("application/json; charset=utf-8", "other headers are kept as sent");
        JsonDocument.Parse(admin).RootElement.EnumerateArray().Should().HaveCount(2, "the admin request itself is not journaled");
    }

    [Theory]
    [InlineData("Authorization", true)]
    [InlineData("api-key", true)]
    [InlineData("X-Goog-Api-Key", true)]
    [InlineData("X-Auth-Token", true)]
    [InlineData("Set-Cookie", true)]
    [InlineData("OpenAI-Organization", false)]
    [InlineData("X-Mock-Session", false)]
    [InlineData("Content-Type", false)]
    public void A_header_is_a_credential_by_its_name(string name, bool credential) =>
        JournalHeaders.IsCredential(name).Should().Be(credential);
}
