using System.Text.Json;

namespace Conformance.Reporting;

/// <summary>Writes and reads the versioned JSON report (<c>schemas/conformance-report.schema.json</c>).</summary>
internal static class JsonReport
{
    public static string Serialize(ConformanceReport report) => JsonSerializer.Serialize(report, ConformanceJsonContext.Default.ConformanceReport) + "\n";

    /// <summary>Reads a report; throws <see cref="InvalidDataException"/> when the file is not a report of a known major version.</summary>
    public static ConformanceReport Deserialize(string json)
    {
        ConformanceReport? report;
        try
        {
            report = JsonSerializer.Deserialize(json, ConformanceJsonContext.Default.ConformanceReport);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"not a conformance report: {ex.Message}", ex);
        }

        if (report is null || report.SchemaVersion.Split('.')[0] != ConformanceReport.CurrentSchemaVersion.Split('.')[0])
        {
            throw new InvalidDataException($"unsupported report schemaVersion '{report?.SchemaVersion}'; this build reads {ConformanceReport.CurrentSchemaVersion}");
        }

        return report;
    }
}
