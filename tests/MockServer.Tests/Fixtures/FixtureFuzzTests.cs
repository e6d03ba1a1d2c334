using FsCheck;
using FsCheck.Fluent;
using MockServer.Fixtures;

namespace MockServer.Tests.Fixtures;

/// <summary>Whatever a fixture file holds, loading it gives fixtures or a <see cref="FixtureLoadException"/> (exit 2), never a crash.</summary>
public sealed class FixtureFuzzTests
{
    private const string Valid = """
        // a commented fixture
        {
          "models": [{ "id": "tiny", "root": "org/Tiny-1", "max_model_len": 4096, "created": 1, "owned_by": "me" }],
          "completions": [
            { "name": "n", "match": { "model": "tiny", "prompt_prefix": "Q:" },
              "tokens": [" The", { "text": " answer", "logprob": -0.3, "top_logprobs": { " answer": -0.3, " reply": -1.6 } }, "."],
              "then": "eos" },
            { "match": { "prompt_regex": "^(a|b)+$" }, "tokens": ["x"], "then": "synthetic" },
          ]
        }
        """;

    private static int AfterQuote(string s, int n)
    {
        var quotes = s.Select((c, i) => (c, i)).Where(x => x.c == '"').Select(x => x.i + 1).ToList();
        return quotes.Count == 0 ? 0 : quotes[n % quotes.Count];
    }

    [Fact]
    public async Task Mutated_fixture_text_loads_or_is_refused_with_a_fixture_error()
    {
        var pieces = new[] { "{", "}", "[", "]", "\"", ",", ":", "//", "/*", "*/", "\\", "\\ud800", "1e400", "-1", "99999999999", "null", "true", "\uFEFF", "\n", "é" };
        var edits = Gen.OneOf(
            Gen.Choose(0, Valid.Length).Select<int, Func<string, string>>(at => s => s.Length == 0 ? s : s.Remove(Math.Min(at, s.Length - 1), 1)),
            Gen.Choose(0, Valid.Length).SelectMany(at => Gen.Elements(pieces).Select<string, Func<string, string>>(p => s => s.Insert(Math.Min(at, s.Length), p))),
            Gen.Choose(0, Valid.Length).Select<int, Func<string, string>>(at => s => s[..Math.Min(at, s.Length)]),
            // Just after a quote, half the time inside a string or key: where escapes and odd characters bite.
            Gen.Choose(0, 60).SelectMany(n => Gen.Elements(pieces).Select<string, Func<string, string>>(p => s => s.Insert(AfterQuote(s, n), p))));
        // Two bases: with a leading comment, and without one (a trailing comma only), each valid before its edits.
        var bases = Gen.Elements(Valid, Valid[(Valid.IndexOf('\n', StringComparison.Ordinal) + 1)..]);
        var texts = Gen.Sample(
            from text in bases
            from k in Gen.Choose(1, 2)
            from list in Gen.ListOf(edits, k)
            select list.Aggregate(text, (current, edit) => edit(current)),
            800,
            new Rnd(20261130UL),
            3);

        var loaded = 0;
        var unexpected = new List<string>();
        foreach (var text in texts)
        {
            try
            {
                await FixtureLoader.LoadAsync(includeDefaults: false, directory: null, [new FixtureDocument("fuzz.json", text)]);
                loaded++;
            }
            catch (FixtureLoadException ex)
            {
                ex.Message.Should().StartWith("Fixture").And.Contain("fuzz.json");
            }
            catch (Exception ex)
            {
                unexpected.Add($"{ex.GetType().Name}: {ex.Message}\n{text}");
            }
        }

        unexpected.Should().BeEmpty("every bad fixture is a FixtureLoadException, reported in one line with exit 2");
        loaded.Should().BePositive("some mutations leave the fixture valid, so acceptance is exercised too");
    }
}
