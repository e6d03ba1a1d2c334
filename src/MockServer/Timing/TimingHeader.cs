using System.Globalization;
using MockServer.Errors;
using MockServer.Hosting;

namespace MockServer.Timing;

/// <summary>
/// Parses <c>X-Mock-Timing: ttft_ms=N;itl_ms=N;…</c> (fields: <see cref="TimingFields"/>), strictly as <c>X-Mock-Fault</c>
/// is parsed: an unknown field, a bad or out-of-range value, a repeated field, both <c>itl_ms</c> and <c>tps</c>, or
/// the header given twice is a 400 naming the header, so a typo in a test never silently runs at another speed.
/// The header replaces only the fields it names (<see cref="TimingResolver"/>).
/// </summary>
internal static class TimingHeader
{
    public const string Header = "X-Mock-Timing";

    /// <summary>The header's timing, or null when the request has none; throws <see cref="ApiErrorException"/> (400, param = the header) when it is not a timing.</summary>
    public static StreamTiming? Read(HttpContext context)
    {
        var values = context.Request.Headers[Header];
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            throw Bad(string.Create(CultureInfo.InvariantCulture, $"one timing per request, got {values.Count}."));
        }

        try
        {
            return Parse(values[0] ?? "");
        }
        catch (FormatException e)
        {
            throw Bad(e.Message);
        }
    }

    /// <summary>The value's timing; throws <see cref="FormatException"/> saying what is wrong.</summary>
    internal static StreamTiming Parse(string value)
    {
        var fields = Http.KeyValueList.Split(value).Select(p => (p.Key, Number(p.Key, p.Value))).ToList();
        var timing = TimingFields.Build(fields);
        try
        {
            timing.Validate(Header);
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }

        return timing;
    }

    private static double Number(string name, string raw) =>
        !TimingFields.Names.Contains(name) ? throw new FormatException($"unknown field '{name}'. Fields: {string.Join(", ", TimingFields.Names)}.")
        : double.TryParse(raw, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n)
            ? n
            : throw new FormatException($"{name} must be a number such as 20 or 0.5, got '{raw}'.");

    private static ApiErrorException Bad(string detail) =>
        new(ApiError.InvalidValue(Header, $"Invalid '{Header}' header: {detail} Syntax: field=value[;field=value...], fields {string.Join(", ", TimingFields.Names)}."));
}
