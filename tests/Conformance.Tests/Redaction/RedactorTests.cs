using Conformance.Http;

namespace Conformance.Tests.Redaction;

/// <summary>The redaction rule, form by form: any 8-run of the key, any case, with escapes undone, masked in place.</summary>
public sealed class RedactorTests
{
    /// <summary>Mixed case on purpose, so a case-sensitive comparison misses the altered forms.</summary>
    public const string Key = "sk-Abc123xyz789Secret";

    private static readonly Redactor Redactor = new(Key);

    public static TheoryData<string, string> EchoedForms => new()
    {
        { "as is", Key },
        { "upper-cased", Key.ToUpperInvariant() },
        { "lower-cased", Key.ToLowerInvariant() },
        { "without its prefix", Key[3..] },
        { "a 9-character middle run", Key[5..14] },
        { "an 8-character run in another case", Key[6..14].ToUpperInvariant() },
        { "JSON-escaped, every character", KeyForms.JsonEscapeAll(Key) },
        { "JSON-escaped, upper-case hex", KeyForms.JsonEscapeAll(Key).ToUpperInvariant().Replace("\\U", "\\u", StringComparison.Ordinal) },
        { "JSON-escaped, some characters", KeyForms.JsonEscapeSome(Key) },
        { "percent-encoded, every character", KeyForms.PercentEncodeAll(Key) },
        { "percent-encoded, some characters", "%73k-Abc%31%323xyz789S%65cret" },
        { "JSON-escaped twice", KeyForms.JsonEscapeAll(Key).Replace("\\", "\\\\", StringComparison.Ordinal) },
        { "JSON-escaped, then percent-encoded", KeyForms.JsonEscapeAll(Key).Replace("\\", "%5C", StringComparison.Ordinal) },
        { "JSON-escaped without the prefix, upper-cased", KeyForms.JsonEscapeAll(Key[3..].ToUpperInvariant()) },
    };

    [Theory]
    [MemberData(nameof(EchoedForms))]
    public void Redact_EchoedForm_IsMaskedAndTheTextAroundItKept(string form, string echoed)
    {
        var text = "{\"error\":{\"message\":\"bad key " + echoed + "!\",\"code\":null}}";

        Redactor.Redact(text).Should().Be("{\"error\":{\"message\":\"bad key ***!\",\"code\":null}}", form);
    }

    [Fact]
    public void Redact_SevenCharacterRun_IsKept()
    {
        // Decision (docs/conformance.md): runs shorter than 8 are not secret enough to mask in a key of 8 or more.
        var seven = Key[6..13];

        Redactor.Redact("a " + seven + " b").Should().Be("a " + seven + " b");
        Redactor.Redact("a " + KeyForms.JsonEscapeAll(seven) + " b").Should().Be("a " + KeyForms.JsonEscapeAll(seven) + " b");
        Redactor.Redact("a " + Key[6..14] + " b").Should().Be("a *** b", "one more character makes it a run of 8");
    }

    [Fact]
    public void Redact_SeveralOccurrencesInDifferentForms_MapEachSpanBack()
    {
        var text = "k1=" + KeyForms.PercentEncodeAll(Key) + "&k2=" + Key.ToUpperInvariant() + "&k3=" + KeyForms.JsonEscapeSome(Key[3..]) + "&end";

        Redactor.Redact(text).Should().Be("k1=***&k2=***&k3=***&end");
    }

    [Fact]
    public void Redact_OverlappingRunsOfTheKey_BecomeOneMask()
    {
        // "789Secret" then "sk-Abc123": the key's tail followed by its head, both runs of 8 or more.
        Redactor.Redact("x " + Key[12..] + Key[..9] + " y").Should().Be("x *** y");
    }

    [Fact]
    public void Redact_EscapesThatAreNotTheKey_AreLeftAlone()
    {
        const string text = "{\"text\":\"caf\\u00e9 \\\"quoted\\\" 100%25 %41BC sk-\"}";

        Redactor.Redact(text).Should().Be(text);
    }

    [Fact]
    public void Redact_ShortKey_IsMaskedWholeInAnyCaseAndEscape()
    {
        var redactor = new Redactor("Ab12x");

        redactor.Redact("k=ab12X;").Should().Be("k=***;");
        redactor.Redact("k=\\u0041b12x;").Should().Be("k=***;");
        redactor.Redact("k=%41b12x;").Should().Be("k=***;");
        redactor.Redact("k=Ab12;").Should().Be("k=Ab12;", "only the whole key is masked when it is shorter than 8");
    }

    [Fact]
    public void Redact_KeyWhosePartAfterThePrefixIsShort_MasksThatPartWhole()
    {
        var redactor = new Redactor("sk-Zq47wv");

        redactor.Redact("got ZQ47WV here").Should().Be("got *** here");
        redactor.Redact("got Zq47 here").Should().Be("got Zq47 here");
    }

    [Fact]
    public void Redact_KeyPrefixBeforeACutMarker_IsMaskedInAnyCaseAndEscape()
    {
        Redactor.Redact("bad key SK-AB… [9 more chars]").Should().Be("bad key ***… [9 more chars]");
        Redactor.Redact("bad key " + KeyForms.JsonEscapeAll("sk-Ab") + "… [9 more chars]").Should().Be("bad key ***… [9 more chars]");
        Redactor.Redact("bad key ABC1… [9 more chars]").Should().Be("bad key ***… [9 more chars]", "the key without its prefix starts with Abc1");
    }

    [Fact]
    public void Cut_ThroughAnEscapedKey_MasksTheEscapedPrefixLeft()
    {
        // Five characters of the key are no run of 8, so nothing is masked until the cut leaves them at the end.
        var text = "bad key " + KeyForms.JsonEscapeAll("sk-Ab") + " and more";

        Redactor.Redact(text).Should().Be(text);
        Redactor.Cut(text, 8 + (5 * 6)).Should().Be("bad key ***");
    }

    [Fact]
    public void Redact_NoKey_ChangesNothing()
    {
        new Redactor(null).Redact("sk-Abc123xyz789Secret").Should().Be("sk-Abc123xyz789Secret");
        new Redactor(string.Empty).Redact("anything").Should().Be("anything");
    }
}
