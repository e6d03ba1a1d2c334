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

        if (report is null)
        {
            throw new InvalidDataException("not a conformance report: the document is null");
        }

        if (report.SchemaVersion is not { } version || version.Split('.')[0] != ConformanceReport.CurrentSchemaVersion.Split('.')[0])
        {
            throw new InvalidDataException($"unsupported report schemaVersion '{report.SchemaVersion ?? "null"}'; this build reads {ConformanceReport.CurrentSchemaVersion}");
        }

        Validate(report);
        return report;
    }

    /// <summary>
    /// What deserialising does not guarantee: required members present and not null, no null entries, unique check ids.
    /// The serializer lets an explicit <c>null</c> through for members the C# types declare non-nullable.
    /// </summary>
    private static void Validate(ConformanceReport report)
    {
        static InvalidDataException Bad(string what) => new($"not a valid conformance report: {what}");

        if (report.Target is not { } target || target.BaseUrl is null || target.Model is null || target.Profile is null)
        {
            throw Bad("'target' must be an object with baseUrl, model and profile");
        }

        if (report.Checks is null)
        {
            throw Bad("'checks' must be an array");
        }

        if (report.Observations is null)
        {
            throw Bad("'observations' must be an object");
        }

        if (report.Summary is null || report.Usage is null)
        {
            throw Bad("'summary' and 'usage' must be objects");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < report.Checks.Count; i++)
        {
            var check = report.Checks[i];
            if (check is null || check.Id is null || check.Title is null || check.Category is null || check.Spec is null || check.Message is null)
            {
                throw Bad($"checks[{i}] must be an object with id, title, category, spec and message");
            }

            if (!ids.Add(check.Id))
            {
                throw Bad($"check id '{check.Id}' appears more than once");
            }
        }

        if (report.Observations.Any(o => o.Value is null))
        {
            throw Bad($"observation '{report.Observations.First(o => o.Value is null).Key}' is null");
        }
    }
}
