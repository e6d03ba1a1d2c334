using System.Text.Json.Nodes;

namespace Conformance.Tests;

/// <summary>The JSON helpers read numbers the same way whether a node was parsed or built by the suite itself.</summary>
public sealed class JsonTests
{
    [Theory]
    [InlineData("5", 5L)]
    [InlineData("-1", -1L)]
    [InlineData("16.0", null)]
    [InlineData("1e3", null)]
    [InlineData("true", null)]
    [InlineData("\"16\"", null)]
    public void Int_ParsedNode_ReadsIntegersOnly(string json, long? expected) =>
        Json.Int(JsonNode.Parse(json)).Should().Be(expected);

    [Fact]
    public void Int_And_Number_NodesBuiltInCode_ReadTheirValue()
    {
        // The probes' bodies are built in code; a helper that only read parsed nodes once made every request reserve
        // the budget as if max_tokens were 16, and the bounded-probe rule read "max_tokens: 5" as absent.
        var body = new JsonObject { ["max_tokens"] = 5, ["n"] = 2L, ["temperature"] = 0.5, ["top_p"] = 1.5f, ["seed"] = -3 };

        Json.Int(body["max_tokens"]).Should().Be(5);
        Json.Int(body["n"]).Should().Be(2);
        Json.Int(body["seed"]).Should().Be(-3);
        Json.Int(body["temperature"]).Should().BeNull();
        Json.Number(body["temperature"]).Should().Be(0.5);
        Json.Number(body["top_p"]).Should().Be(1.5);
        Json.Number(body["max_tokens"]).Should().Be(5);
    }
}
