using System.Text.RegularExpressions;

namespace Conformance.Http;

/// <summary>
/// The extra request headers of <see cref="ConformanceOptions.Headers"/> and <see cref="ConformanceOptions.StreamHeaders"/>:
/// validated before any request, and shown in evidence only when they cannot be a secret.
/// </summary>
internal static partial class ExtraHeaders
{
    /// <summary>Headers the suite sets itself: an extra one would change what a check sends (auth, framing, body type).</summary>
    private static readonly string[] Reserved = ["Authorization", "Accept", "Host", "Connection", "Transfer-Encoding", "Content-Length", "Content-Type", "Expect", "Upgrade"];

    /// <summary>Parts of a header name that say its value is a credential.</summary>
    private static readonly string[] SecretNames = ["auth", "key", "token", "secret", "cookie", "session", "password", "signature", "credential"];

    /// <summary>Throws <see cref="ArgumentException"/> for a header that cannot be sent or that the suite sets itself.</summary>
    /// <param name="headers">The headers.</param>
    /// <param name="option">Where they were given (<c>--header</c>, a config's <c>headers</c>), for the message.</param>
    /// <param name="keyHint">Where the key goes instead of an <c>Authorization</c> header, said where that one is refused.</param>
    public static void Validate(IEnumerable<KeyValuePair<string, string>> headers, string option, string keyHint = "use --api-key for the key")
    {
        foreach (var (name, value) in headers)
        {
            if (name is null || !Token().IsMatch(name))
            {
                throw new ArgumentException($"{option}: '{Exchange.Excerpt(name ?? string.Empty, 60)}' is not a header name (letters, digits and !#$%&'*+-.^_`|~ only).");
            }

            if (Reserved.Any(r => string.Equals(r, name, StringComparison.OrdinalIgnoreCase)) || name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"{option}: the suite sets '{name}' itself ({keyHint}).");
            }

            // Never quoted: the value may be a secret.
            if (value is null || !value.All(ch => ch is >= ' ' and <= '~'))
            {
                throw new ArgumentException($"{option}: the value of '{name}' contains control or non-ASCII characters.");
            }
        }
    }

    /// <summary>
    /// The value as evidence shows it: masked when the name says it is a credential or the value looks like a key (a run
    /// of 16 or more letters, digits, '-' or '_' with both letters and digits, or of 32 or more), so a routing or fault
    /// header such as <c>disconnect_after=3</c> stays readable and a token never shows.
    /// </summary>
    public static string Shown(string name, string value) =>
        SecretNames.Any(s => name.Contains(s, StringComparison.OrdinalIgnoreCase)) || KeyLike(value) ? Redactor.Mask : value;

    /// <summary>
    /// The values of <see cref="ConformanceOptions.Headers"/> and <see cref="ConformanceOptions.StreamHeaders"/> that
    /// <see cref="Shown"/> masks: secrets the redactor removes from all output too, an endpoint's echo included.
    /// </summary>
    public static IEnumerable<string> Secrets(ConformanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Headers.Concat(options.StreamHeaders)
            .Where(h => h.Key is not null && h.Value is not null && Shown(h.Key, h.Value) == Redactor.Mask)
            .Select(h => h.Value);
    }

    private static bool KeyLike(string value) =>
        Run().Matches(value).Any(m => m.Length >= 32 || (m.Value.Any(char.IsAsciiDigit) && m.Value.Any(char.IsAsciiLetter)));

    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Token();

    [GeneratedRegex(@"[A-Za-z0-9_\-]{16,}", RegexOptions.CultureInvariant)]
    private static partial Regex Run();
}
