using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MockServer.Tests.TestUtils;
using NJsonSchema;

namespace MockServer.Tests.Chat;

/// <summary>
/// Over HTTP with the default chat model: tool arguments (<c>tool_choice: required</c>) and structured output
/// (<c>response_format: json_schema</c>) validate against the schema the request gave, or the request gets a
/// structured 400 before any byte, never a 500 nor a value that breaks the schema (README's promise).
/// </summary>
public sealed class ChatSchemaGuaranteeTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    private const string ToolParam = "tools[0].function.parameters";
    private const string FormatParam = "response_format.json_schema.schema";

    private static string Body(string param, string schema, long seed = 1, bool stream = false)
    {
        var head = $$"""{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Go"}],"seed":{{seed}},"max_tokens":600,"stream":{{(stream ? "true" : "false")}},""";
        return param == ToolParam
            ? head + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":" + schema + "}}],\"tool_choice\":\"required\"}"
            : head + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"s\",\"schema\":" + schema + "}}}";
    }

    private async Task<(int Status, string Body)> PostAsync(string json)
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        using var response = await server.Client.PostAsync("chat/completions", content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The generated JSON text: the call's arguments, or the content.</summary>
    private static string Generated(string param, string body)
    {
        var message = JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message");
        return param == ToolParam
            ? message.GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString()!
            : message.GetProperty("content").GetString()!;
    }

    public static TheoryData<string, string> Satisfiable()
    {
        string[] schemas =
        [
            """{"type":"object","properties":{"code":{"type":"string","pattern":"^[A-Z]{2}$"}},"required":["code"]}""",
            """{"allOf":[{"type":"object","properties":{"a":{"type":"integer","minimum":10}},"required":["a"]},{"properties":{"a":{"maximum":12},"b":{"type":"string","minLength":3}},"required":["b"]}]}""",
            """{"type":"object","properties":{"a":{"type":"string","not":{"enum":["alpha","river","Paris"]}},"b":{"not":{"type":"string"},"type":["string","integer"]}},"required":["a","b"]}""",
            """{"type":"object","properties":{"n":{"type":"integer","multipleOf":7,"minimum":1},"x":{"type":"number","multipleOf":0.25}},"required":["n","x"]}""",
            """{"type":"object","minProperties":3,"additionalProperties":{"type":"integer"}}""",
            """{"type":"object","patternProperties":{"^x-":{"type":"boolean"}},"additionalProperties":false,"minProperties":2}""",
            """{"type":"object","properties":{"p":{"$ref":"#/$defs/point"}},"required":["p"],"$defs":{"point":{"type":"object","properties":{"x":{"type":"number","minimum":-5,"maximum":-1,"exclusiveMaximum":-1}},"required":["x"]}}}""",
        ];
        var data = new TheoryData<string, string>();
        foreach (var schema in schemas)
        {
            data.Add(ToolParam, schema);
            data.Add(FormatParam, schema);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Satisfiable))]
    public async Task Generated_values_validate_against_the_schema(string param, string schema)
    {
        // NJsonSchema judges (an implementation independent of the mock's); it does not know $defs, so it reads them as definitions.
        var validator = await JsonSchema.FromJsonAsync(schema.Replace("$defs", "definitions", StringComparison.Ordinal));
        for (var seed = 0; seed < 6; seed++)
        {
            var (status, body) = await PostAsync(Body(param, schema, seed));

            status.Should().Be(200, body);
            var value = Generated(param, body);
            validator.Validate(value).Should().BeEmpty($"seed {seed} gave {value}");
            JsonDocument.Parse(value).RootElement.ValueKind.Should().Be(JsonValueKind.Object);
        }
    }

    [Fact]
    public async Task Empty_parameters_give_an_object_of_arguments()
    {
        var (status, body) = await PostAsync(Body(ToolParam, "{}"));

        status.Should().Be(200, body);
        JsonDocument.Parse(Generated(ToolParam, body)).RootElement.ValueKind.Should().Be(JsonValueKind.Object, "tool arguments are always a JSON object");
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"a":{"$ref":5}}}""", "'$ref' must be a string")]
    [InlineData("""{"type":"object","properties":{"a":{"$ref":{}}}}""", "'$ref' must be a string")]
    [InlineData("""{"type":"object","properties":{"a":{"$ref":null}}}""", "'$ref' must be a string")]
    [InlineData("""{"type":"object","properties":{"a":{"$ref":"#/$defs/missing"}},"$defs":{}}""", "does not resolve")]
    [InlineData("""{"type":"object","properties":{"a":{"$ref":"https://example.com/schema.json"}}}""", "does not resolve")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"number","maximum":-1e400}},"required":["a"]}""", "out of range")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"number","minimum":1e400}},"required":["a"]}""", "out of range")]
    public async Task A_broken_schema_is_a_400_naming_the_parameter(string schema, string says)
    {
        foreach (var param in new[] { ToolParam, FormatParam })
        {
            var (status, body) = await PostAsync(Body(param, schema));

            status.Should().Be(400, body);
            body.ShouldConformTo(Schemas.Error);
            var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
            error.GetProperty("param").GetString().Should().Be(param);
            error.GetProperty("code").GetString().Should().Be("invalid_value");
            error.GetProperty("message").GetString().Should().Contain(says);
        }
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"id":{"type":"string","pattern":"^[0-9]{3}[a-z]{9}$"}},"required":["id"]}""")]
    [InlineData("""{"type":"object","properties":{"a":{"not":{}}},"required":["a"]}""")]
    [InlineData("""{"type":"object","properties":{"next":{"$ref":"#"}},"required":["next"]}""")]
    [InlineData("""{"type":"object","properties":{"n":{"type":"integer","minimum":5,"maximum":1}},"required":["n"]}""")]
    [InlineData("""{"type":"object","properties":{"n":{"type":"integer","maximum":-1e300}},"required":["n"]}""")]
    [InlineData("""{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"],"unevaluatedProperties":false}""")]
    public async Task A_schema_the_mock_cannot_satisfy_is_a_400_before_any_byte_pointing_at_fixtures(string schema)
    {
        foreach (var param in new[] { ToolParam, FormatParam })
        {
            foreach (var stream in new[] { false, true })
            {
                var (status, body) = await PostAsync(Body(param, schema, stream: stream));

                status.Should().Be(400, body);
                body.ShouldConformTo(Schemas.Error);
                var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
                error.GetProperty("param").GetString().Should().Be(param);
                error.GetProperty("code").GetString().Should().Be("unsupported_schema");
                error.GetProperty("message").GetString().Should().Contain("cannot generate").And.Contain("fixture");
            }
        }
    }

    [Fact]
    public async Task Parameters_that_are_not_an_object_schema_cannot_give_arguments()
    {
        var (status, body) = await PostAsync(Body(ToolParam, """{"type":"string"}"""));

        status.Should().Be(400, body);
        JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString().Should().Be("unsupported_schema");
    }
}
