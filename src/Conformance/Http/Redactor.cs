namespace Conformance.Http;

/// <summary>
/// Removes the API key, and the extra header values the evidence masks, from every string that leaves the suite:
/// console, JSON, JUnit, evidence. A hostile endpoint may echo a secret back in a body, so redaction covers response
/// text too, not just headers. Each secret is treated as the key is; "the key" below stands for each of them.
/// </summary>
/// <remarks>
/// <para>
/// The rule (docs/conformance.md, "Redaction"): any run of <see cref="MinRun"/> or more consecutive characters of the
/// key is masked, compared without regard to letter case, in the raw text and in the text with JSON escapes
/// (<c>\u0073</c>, <c>\/</c>) and percent-encoding (<c>%73</c>) undone, up to <see cref="MaxDecodeDepth"/> layers
/// (e.g. <c>%5Cu0073</c> or <c>\\u0073</c>). The matched span of the original text, escapes included, becomes
/// <see cref="Mask"/>, so the text around it stays readable.
/// </para>
/// <para>
/// A key form shorter than <see cref="MinRun"/> (a short key, or a key's part after its prefix such as <c>sk-</c>)
/// is masked wherever it occurs whole, with the same case and escape rules; a part after the prefix shorter than
/// <see cref="MinPrefix"/> is not, as it would mask ordinary words. The key counts trimmed: the key as given with
/// surrounding whitespace contains it, and a server trims what it receives and may echo that.
/// </para>
/// <para>
/// As a backstop for text that was cut before it was redacted, a key prefix of <see cref="MinPrefix"/> or more
/// characters right before a cut marker (<c>…</c>) is masked too, with the same case and escape rules.
/// </para>
/// <para>
/// Cost is linear in the text: each view is scanned once against a set of the key's lower-cased
/// <see cref="MinRun"/>-character windows, and a decoded view keeps a map from each of its characters to the span of
/// the original text it came from, so a match maps back to the original. The price of the rule is a false positive
/// now and then: an ordinary 8-character run of text that happens to occur in the key is masked too.
/// </para>
/// </remarks>
internal sealed class Redactor
{
    /// <summary>What a redacted key reads as.</summary>
    public const string Mask = "***";

    /// <summary>The shortest key prefix the cut backstop masks, and the shortest key remainder masked whole.</summary>
    public const int MinPrefix = 4;

    /// <summary>The shortest run of the key's characters that is masked wherever it occurs.</summary>
    public const int MinRun = 8;

    /// <summary>How many layers of escaping are undone (JSON inside percent-encoding, JSON escaped twice, ...).</summary>
    public const int MaxDecodeDepth = 2;

    /// <summary>The marker <see cref="Exchange.Excerpt"/> and the console put where they cut text.</summary>
    private const char CutMarker = '…';

    // Every MinRun-character window of every key form, lower-cased; looked up by span, so the scan allocates nothing.
    private readonly HashSet<string> _windows = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _windowLookup;

    // Key forms shorter than MinRun, lower-cased: masked where they occur whole.
    private readonly string[] _wholes;

    // Every key form, lower-cased: the cut backstop masks their prefixes.
    private readonly string[] _forms;

    public Redactor(string? apiKey)
        : this(apiKey, [])
    {
    }

    /// <summary>Initializes a new instance of the <see cref="Redactor"/> class that masks the key and every one of <paramref name="otherSecrets"/> by the same rule.</summary>
    /// <param name="apiKey">The API key, or null.</param>
    /// <param name="otherSecrets">Other secrets, e.g. masked header values; empty entries are ignored.</param>
    public Redactor(string? apiKey, IEnumerable<string> otherSecrets)
        : this((otherSecrets ?? throw new ArgumentNullException(nameof(otherSecrets))).Prepend(apiKey), longFormsOnly: false)
    {
    }

    private Redactor(IEnumerable<string?> secrets, bool longFormsOnly)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var forms = new List<string>();
        foreach (var secret in secrets)
        {
            if (string.IsNullOrEmpty(secret))
            {
                continue;
            }

            // Trimmed: surrounding whitespace is no part of the secret (and masking it would eat the spaces around an echo).
            var key = secret.Trim();
            if (key.Length > 0)
            {
                forms.Add(key.ToLowerInvariant());

                // The part after the prefix ("sk-"): a server may echo the key without it.
                var dash = key.IndexOf('-', StringComparison.Ordinal);
                if (dash >= 0 && key.Length - dash - 1 >= MinPrefix)
                {
                    forms.Add(key[(dash + 1)..].ToLowerInvariant());
                }
            }
        }

        _forms = [.. forms.Where(f => !longFormsOnly || f.Length >= MinRun).Distinct(StringComparer.Ordinal).OrderByDescending(f => f.Length)];
        foreach (var form in _forms)
        {
            for (var i = 0; i + MinRun <= form.Length; i++)
            {
                _windows.Add(form.Substring(i, MinRun));
            }
        }

        _windowLookup = _windows.GetAlternateLookup<ReadOnlySpan<char>>();
        _wholes = [.. _forms.Where(f => f.Length < MinRun)];
    }

    /// <summary>
    /// A redactor for text that several runs share (a matrix's headings): only the forms of the secrets that are
    /// <see cref="MinRun"/> characters or longer, so one target's short key form (<c>sk-models</c> → <c>models</c>,
    /// <c>EMPTY</c>) does not mask ordinary words of another target's text. Each run's own text is redacted with
    /// that run's full redactor.
    /// </summary>
    public static Redactor ForSharedText(IEnumerable<string> secrets) => new(secrets, longFormsOnly: true);

    /// <summary>
    /// The redactor of a run: the key, and every <c>--header</c>/<c>--stream-header</c> value the request evidence masks
    /// (<see cref="ExtraHeaders.Secrets"/>), so an endpoint that echoes such a value does not show it in a body either.
    /// </summary>
    public static Redactor For(ConformanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new Redactor(options.ApiKey, ExtraHeaders.Secrets(options));
    }

    /// <summary>Returns <paramref name="text"/> with every occurrence of the key, in any recoverable form, replaced by <see cref="Mask"/>.</summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Redact(text, cutAtEnd: false);
    }

    /// <summary>Redacts a nullable string.</summary>
    public string? RedactOrNull(string? text) => text is null ? null : Redact(text);

    /// <summary>Redacts, then cuts to <paramref name="max"/> characters; a key prefix left at the cut is masked.</summary>
    public string Excerpt(string text, int max) => Redact(Exchange.Excerpt(Redact(text), max));

    /// <summary>
    /// Redacts a line and cuts it to <paramref name="max"/> characters without a marker (raw evidence);
    /// a tail that is a prefix of the key is masked.
    /// </summary>
    public string Cut(string text, int max)
    {
        text = Redact(text);
        return text.Length <= max ? text : Redact(text[..max], cutAtEnd: true);
    }

    private string Redact(string text, bool cutAtEnd)
    {
        if (_forms.Length == 0 || text.Length == 0)
        {
            return text;
        }

        var spans = new List<(int Start, int End)>();
        foreach (var view in View.All(text, MaxDecodeDepth))
        {
            Scan(view, cutAtEnd, spans);
        }

        if (spans.Count == 0)
        {
            return text;
        }

        spans.Sort();
        var sb = new System.Text.StringBuilder(text.Length);
        var at = 0;
        var i = 0;
        while (i < spans.Count)
        {
            var (start, end) = spans[i++];
            while (i < spans.Count && spans[i].Start <= end)
            {
                end = Math.Max(end, spans[i++].End);
            }

            sb.Append(text, at, start - at).Append(Mask);
            at = end;
        }

        return sb.Append(text, at, text.Length - at).ToString();
    }

    /// <summary>Adds the spans of the original text that <paramref name="view"/> shows to hold the key.</summary>
    private void Scan(View view, bool cutAtEnd, List<(int Start, int End)> spans)
    {
        var lower = view.Text.ToLowerInvariant();

        // Windows of MinRun characters; overlapping and touching windows merge into one span.
        var runStart = -1;
        var runEnd = -1;
        for (var i = 0; i + MinRun <= lower.Length; i++)
        {
            if (!_windowLookup.Contains(lower.AsSpan(i, MinRun)))
            {
                continue;
            }

            if (i > runEnd)
            {
                if (runStart >= 0)
                {
                    spans.Add(view.Original(runStart, runEnd));
                }

                runStart = i;
            }

            runEnd = i + MinRun;
        }

        if (runStart >= 0)
        {
            spans.Add(view.Original(runStart, runEnd));
        }

        foreach (var whole in _wholes)
        {
            for (var at = lower.IndexOf(whole, StringComparison.Ordinal); at >= 0; at = lower.IndexOf(whole, at + 1, StringComparison.Ordinal))
            {
                spans.Add(view.Original(at, at + whole.Length));
            }
        }

        for (var at = lower.IndexOf(CutMarker, StringComparison.Ordinal); at >= 0; at = lower.IndexOf(CutMarker, at + 1))
        {
            AddCutPrefix(view, lower, at, spans);
        }

        if (cutAtEnd)
        {
            AddCutPrefix(view, lower, lower.Length, spans);
        }
    }

    /// <summary>Adds the longest key prefix (at least <see cref="MinPrefix"/> characters) that ends at <paramref name="cut"/>.</summary>
    private void AddCutPrefix(View view, string lower, int cut, List<(int Start, int End)> spans)
    {
        var before = lower.AsSpan(0, cut);
        foreach (var form in _forms)
        {
            for (var k = Math.Min(form.Length - 1, before.Length); k >= MinPrefix; k--)
            {
                if (before.EndsWith(form.AsSpan(0, k), StringComparison.Ordinal))
                {
                    spans.Add(view.Original(cut - k, cut));
                    break;
                }
            }
        }
    }

    /// <summary>
    /// The text as a reader would see it after undoing some layers of escaping. <see cref="Starts"/> maps each
    /// character to where its escape starts in the original; a character ends where the next one starts.
    /// </summary>
    private sealed class View
    {
        private View(string text, int[]? starts, int originalLength)
        {
            Text = text;
            Starts = starts;
            OriginalLength = originalLength;
        }

        public string Text { get; }

        /// <summary>Gets the start in the original text of each character; null for the original itself.</summary>
        public int[]? Starts { get; }

        public int OriginalLength { get; }

        /// <summary>The original text, and every view reached by undoing JSON or percent escapes, up to <paramref name="depth"/> layers.</summary>
        public static IEnumerable<View> All(string text, int depth)
        {
            var frontier = new List<View> { new(text, null, text.Length) };
            yield return frontier[0];
            for (var layer = 0; layer < depth && frontier.Count > 0; layer++)
            {
                var next = new List<View>();
                foreach (var view in frontier)
                {
                    foreach (var decoded in new[] { view.DecodeJson(), view.DecodePercent() })
                    {
                        if (decoded is not null)
                        {
                            next.Add(decoded);
                            yield return decoded;
                        }
                    }
                }

                frontier = next;
            }
        }

        /// <summary>The span of the original text that characters [<paramref name="start"/>, <paramref name="end"/>) of this view came from.</summary>
        public (int Start, int End) Original(int start, int end) =>
            Starts is null ? (start, end) : (Starts[start], end < Starts.Length ? Starts[end] : OriginalLength);

        private int StartOf(int index) => Starts is null ? index : Starts[index];

        /// <summary>Undoes JSON string escapes (<c>\uXXXX</c>, <c>\"</c>, <c>\\</c>, <c>\/</c>, <c>\n</c>...); null when there are none.</summary>
        private View? DecodeJson()
        {
            if (!Text.Contains('\\', StringComparison.Ordinal))
            {
                return null;
            }

            return Decode((text, i) =>
            {
                if (text[i] != '\\' || i + 1 >= text.Length)
                {
                    return null;
                }

                if (text[i + 1] == 'u' && i + 6 <= text.Length && TryHex(text.AsSpan(i + 2, 4), out var code))
                {
                    return ((char)code, 6);
                }

                char? simple = text[i + 1] switch
                {
                    '"' => '"',
                    '\\' => '\\',
                    '/' => '/',
                    'b' => '\b',
                    'f' => '\f',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    _ => null,
                };
                return simple is { } ch ? (ch, 2) : null;
            });
        }

        /// <summary>
        /// Undoes <c>%XX</c> escapes of ASCII characters (hex in either case); null when there are none. A <c>+</c> is
        /// left as is: keys carry a literal <c>+</c> far more often than a space.
        /// </summary>
        private View? DecodePercent()
        {
            if (!Text.Contains('%', StringComparison.Ordinal))
            {
                return null;
            }

            return Decode((text, i) =>
                text[i] == '%' && i + 3 <= text.Length && TryHex(text.AsSpan(i + 1, 2), out var code) && code < 0x80
                    ? ((char)code, 3)
                    : null);
        }

        private View? Decode(Func<string, int, (char Char, int Length)?> escapeAt)
        {
            var chars = new char[Text.Length];
            var starts = new int[Text.Length];
            var n = 0;
            var changed = false;
            for (var i = 0; i < Text.Length;)
            {
                starts[n] = StartOf(i);
                if (escapeAt(Text, i) is { } escape)
                {
                    chars[n++] = escape.Char;
                    i += escape.Length;
                    changed = true;
                }
                else
                {
                    chars[n++] = Text[i++];
                }
            }

            return changed ? new View(new string(chars, 0, n), starts[..n], OriginalLength) : null;
        }

        private static bool TryHex(ReadOnlySpan<char> digits, out int value) =>
            int.TryParse(digits, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out value);
    }
}
