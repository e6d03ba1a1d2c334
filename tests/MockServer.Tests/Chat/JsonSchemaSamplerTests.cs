using System.Text.Json;
using MockServer.Chat;
using MockServer.Generation;
using NJsonSchema;
using static MockServer.Tests.Chat.ChatResponseHarness;

namespace MockServer.Tests.Chat;

/// <summary>The seeded generator behind synthetic tool arguments and structured output.</summary>
public sealed class JsonSchemaSamplerTests
{
    private const string PersonSchema = """{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":18,"maximum":99},"score":{"type":"number","exclusiveMinimum":0,"exclusiveMaximum":1}},"required":["name","age","score"]}""";

    public static TheoryData<string> SchemaTexts =>
    [
        PersonSchema,
        """{"type":"array","items":{"type":"string","enum":["red","green","blue"]},"minItems":2,"maxItems":5}""",
        """{"type":"object","properties":{"kind":{"const":"point"},"at":{"type":"array","items":{"type":"number","minimum":-5,"maximum":-1},"minItems":2,"maxItems":2}},"required":["kind","at"],"additionalProperties":false}""",
        """{"anyOf":[{"type":"string","format":"date-time"},{"type":"integer","maximum":-10},{"type":"null"}]}""",
        """{"type":["boolean","null"]}""",
        """{"type":"object","properties":{"email":{"type":"string","format":"email"},"site":{"type":"string","format":"uri"},"tag":{"type":"string","minLength":12,"maxLength":14}},"required":["email","site","tag"]}""",
        """{"type":"object","properties":{"head":{"$ref":"#/definitions/node"}},"required":["head"],"definitions":{"node":{"type":"object","properties":{"value":{"type":"integer"},"next":{"anyOf":[{"$ref":"#/definitions/node"},{"type":"null"}]}},"required":["value","next"]}}}""",
        """{"type":"object","properties":{"unknown_keywords":{"type":"string","pattern":"^x","x-vendor":1}},"required":["unknown_keywords"],"description":"a pattern some stock string matches; an unknown keyword is an annotation"}""",
        """{"type":"object","properties":{"code":{"type":"string","pattern":"^[A-Z]{2}$"},"n":{"type":"integer","multipleOf":7,"minimum":1},"x":{"type":"number","multipleOf":0.25,"maximum":-3}},"required":["code","n","x"]}""",
        """{"allOf":[{"type":"object","properties":{"a":{"type":"integer","minimum":10}},"required":["a"]},{"properties":{"a":{"maximum":12},"b":{"type":"string"}},"required":["b"]}]}""",
        """{"type":"object","minProperties":3,"additionalProperties":{"type":"integer"}}""",
        """{"type":"object","patternProperties":{"^x-":{"type":"boolean"}},"additionalProperties":false,"minProperties":2}""",
        """{"type":"array","items":{"enum":[1,2,3]},"minItems":3,"uniqueItems":true}""",
    ];

    [Theory]
    [MemberData(nameof(SchemaTexts))]
    public async Task Every_sample_is_valid_against_its_schema(string schemaText)
    {
        using var document = JsonDocument.Parse(schemaText);
        var validator = await JsonSchema.FromJsonAsync(schemaText); // NJsonSchema: a judge independent of the mock's own check
        for (ulong seed = 0; seed < 40; seed++)
        {
            var sample = JsonSchemaSampler.TrySample(document.RootElement, seed, SchemaBudget.Unbounded);

            sample.Should().NotBeNull($"seed {seed}: the schema is within what the sampler satisfies");

            validator.Validate(sample).Should().BeEmpty($"seed {seed} gave {sample}");
        }
    }

    [Fact]
    public void Samples_are_a_function_of_the_seed()
    {
        using var document = JsonDocument.Parse(PersonSchema);

        var samples = Enumerable.Range(0, 20).Select(s => JsonSchemaSampler.Sample(document.RootElement, (ulong)s)).ToList();

        Enumerable.Range(0, 20).Select(s => JsonSchemaSampler.Sample(document.RootElement, (ulong)s)).Should().Equal(samples);
        samples.Distinct().Should().HaveCountGreaterThan(10, "different seeds give different values");
    }

    [Fact]
    public void Enum_and_const_values_are_copied_and_every_enum_value_can_come_up()
    {
        using var document = JsonDocument.Parse("""{"type":"object","properties":{"c":{"const":{"deep":[1,2]}},"e":{"enum":["a",2,null]}},"required":["c","e"]}""");

        var samples = Enumerable.Range(0, 60).Select(s => JsonDocument.Parse(JsonSchemaSampler.Sample(document.RootElement, (ulong)s)).RootElement).ToList();

        samples.Should().OnlyContain(s => s.GetProperty("c").GetRawText() == """{"deep":[1,2]}""");
        samples.Select(s => s.GetProperty("e").GetRawText()).Distinct().Should().BeEquivalentTo(["\"a\"", "2", "null"]);
    }

    [Fact]
    public async Task Json_schema_response_format_content_validates_and_streams_the_same()
    {
        var schemaText = PersonSchema;
        var request = Request(Dialects.Dialects.Llmbase, maxTokens: 200) with
        {
            ResponseFormat = ResponseFormatKind.JsonSchema,
            ResponseSchema = JsonDocument.Parse(schemaText).RootElement.Clone(),
        };

        var body = await CompleteAsync(request);
        var transcript = await StreamAsync(request);

        var content = ChatResponseTests.Content(body);
        (await JsonSchema.FromJsonAsync(schemaText)).Validate(content).Should().BeEmpty(content);
        body.GetProperty("choices")[0].GetProperty("finish_reason").GetString().Should().Be("stop");
        transcript.StreamedContent().Should().Be(content);
        transcript.ChoiceChunks().Count(c => c.GetProperty("delta").TryGetProperty("content", out _)).Should().Be(Tokenizer.TokenizePrompt(content).Count - 1, "one delta per token of the JSON text");
    }

    [Fact]
    public async Task Json_object_response_format_content_is_an_object_and_text_is_the_default()
    {
        var json = await CompleteAsync(Request(Dialects.Dialects.OpenAi, maxTokens: 200) with { ResponseFormat = ResponseFormatKind.JsonObject });
        var text = await CompleteAsync(Request(Dialects.Dialects.OpenAi, maxTokens: 200));

        JsonDocument.Parse(ChatResponseTests.Content(json)).RootElement.ValueKind.Should().Be(JsonValueKind.Object);
        var parse = () => JsonDocument.Parse(ChatResponseTests.Content(text));
        parse.Should().Throw<JsonException>("free text is not JSON");
    }
}
