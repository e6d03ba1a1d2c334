using System.Globalization;

namespace MockServer.Recording;

/// <summary>
/// How replay paces a recording: each frame at its recorded offset times <see cref="Factor"/> on the server's clock,
/// or (<see cref="None"/>) everything at once. <c>recorded</c> is factor 1, <c>scale=0.5</c> twice as fast.
/// </summary>
internal sealed record ReplayTiming(bool None, double Factor)
{
    public static ReplayTiming Recorded { get; } = new(false, 1);

    /// <summary>Parses <c>recorded</c>, <c>none</c> or <c>scale=F</c> (F from 0 to 1000).</summary>
    /// <exception cref="FormatException">Anything else; the message says what is accepted.</exception>
    public static ReplayTiming Parse(string value)
    {
        var text = value.Trim();
        if (text.Equals("recorded", StringComparison.OrdinalIgnoreCase))
        {
            return Recorded;
        }

        if (text.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return new ReplayTiming(true, 0);
        }

        if (text.StartsWith("scale=", StringComparison.OrdinalIgnoreCase)
            && double.TryParse(text["scale=".Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out var factor)
            && factor is >= 0 and <= 1000)
        {
            return new ReplayTiming(false, factor);
        }

        throw new FormatException($"'{value}' is not a replay timing; use recorded, none, or scale=F with F from 0 to 1000 (e.g. scale=0.5).");
    }

    /// <summary>When a frame recorded at <paramref name="offset"/> is due after the replayed request began.</summary>
    public TimeSpan Due(TimeSpan offset) => None ? TimeSpan.Zero : TimeSpan.FromTicks((long)Math.Round(offset.Ticks * Factor));
}
