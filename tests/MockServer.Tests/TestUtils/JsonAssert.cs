using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MockServer.Tests.TestUtils;

internal static partial class JsonAssert
{
    /// <summary>Every key of <paramref name="expected"/> is in <paramref name="actual"/> with an equal value (arrays element-wise).</summary>
    public static void ShouldContainSubset(this JsonElement actual, JsonElement expected, string path = "$")
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                actual.ValueKind.Should().Be(JsonValueKind.Object, path);
                foreach (var property in expected.EnumerateObject())
                {
                    actual.TryGetProperty(property.Name, out var value).Should().BeTrue($"{path}.{property.Name} is present");
                    value.ShouldContainSubset(property.Value, $"{path}.{property.Name}");
                }

                break;
            case JsonValueKind.Array:
                actual.GetArrayLength().Should().Be(expected.GetArrayLength(), path);
                for (var i = 0; i < expected.GetArrayLength(); i++)
                {
                    actual[i].ShouldContainSubset(expected[i], $"{path}[{i}]");
                }

                break;
            case JsonValueKind.Number:
                actual.GetDouble().Should().Be(expected.GetDouble(), path);
                break;
            default:
                actual.GetRawText().Should().Be(expected.GetRawText(), path);
                break;
        }
    }

    /// <summary>Replaces what legitimately changes per request (id, created) with fixed values.</summary>
    public static string Scrub(string json)
    {
        var node = JsonNode.Parse(json)!;
        if (node is JsonObject o)
        {
            if (o["id"]?.GetValue<string>() is { } id)
            {
                o["id"] = $"{id[..Math.Max(0, id.IndexOf('-', StringComparison.Ordinal))]}-SCRUBBED"; // keeps cmpl- / chatcmpl-
            }

            if (o.ContainsKey("created"))
            {
                o["created"] = 0;
            }
        }

        return node.ToJsonString();
    }

    /// <summary>
    /// Compares with a golden file under <c>tests/MockServer.Tests/Golden</c>, semantically per JSON document.
    /// Set <c>UPDATE_GOLDEN=1</c> to (re)write the file after reviewing a deliberate wire change.
    /// </summary>
    /// <remarks>
    /// The files are read from the copy beside the test assembly, not via the source path: CI builds with
    /// <c>ContinuousIntegrationBuild</c>, which maps source paths to <c>/_/</c>.
    /// </remarks>
    public static void ShouldMatchGolden(IReadOnlyList<string> documents, string name)
    {
        var scrubbed = documents.Select(d => d == "[DONE]" ? d : Scrub(d)).ToList();
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            var source = Path.Combine(Fixtures.FixtureLoadingTests.RepositoryRoot(), "tests", "MockServer.Tests", "Golden", name);
            File.WriteAllText(source, string.Join("\n", scrubbed) + "\n");
            return;
        }

        var path = Path.Combine(AppContext.BaseDirectory, "Golden", name);
        File.Exists(path).Should().BeTrue($"golden file {name} exists (run once with UPDATE_GOLDEN=1 to create it)");
        var golden = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        golden.Should().HaveCount(scrubbed.Count, $"{name}: same number of documents");
        for (var i = 0; i < golden.Count; i++)
        {
            if (golden[i] == "[DONE]")
            {
                scrubbed[i].Should().Be("[DONE]");
                continue;
            }

            JsonNode.DeepEquals(JsonNode.Parse(golden[i]), JsonNode.Parse(scrubbed[i])).Should()
                .BeTrue($"{name} document {i} changed:\n golden: {golden[i]}\n actual: {scrubbed[i]}");
        }
    }

    [GeneratedRegex("^cmpl-[0-9a-f]{16}$")]
    public static partial Regex CompletionId();
}
