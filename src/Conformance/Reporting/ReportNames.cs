using System.Text.Json;

namespace Conformance.Reporting;

/// <summary>
/// The JSON report's spelling of its verdicts and levels (<c>pass</c>, <c>not-applicable</c>, <c>must</c>, ...), read
/// from its serializer, so the HTML report, <c>diff</c> and the matrix name them exactly as the JSON report does.
/// </summary>
internal static class ReportNames
{
    private static readonly Dictionary<Verdict, string> Verdicts =
        Enum.GetValues<Verdict>().ToDictionary(v => v, v => JsonSerializer.Serialize(v, ConformanceJsonContext.Default.Verdict).Trim('"'));

    private static readonly Dictionary<CheckLevel, string> Levels =
        Enum.GetValues<CheckLevel>().ToDictionary(v => v, v => JsonSerializer.Serialize(v, ConformanceJsonContext.Default.CheckLevel).Trim('"'));

    public static string Of(Verdict verdict) => Verdicts[verdict];

    public static string Of(CheckLevel level) => Levels[level];
}
