using System.Text.Json;
using System.Text.Json.Serialization;
using Conformance.Matrix;

namespace Conformance.Reporting;

/// <summary>
/// <c>matrix --json</c>: each target's name and either its full report, exactly as <c>--json</c> writes it for a single
/// run (so <c>diff</c>-style tooling can read it), or why it was not checked.
/// </summary>
internal static class MatrixJson
{
    public const string SchemaVersion = "1.0";

    public static string Serialize(IReadOnlyList<MatrixColumn> columns) =>
        JsonSerializer.Serialize(
            new MatrixDocument { Targets = [.. columns.Select(c => new MatrixEntry { Name = c.Target.Name, Error = c.Error, Report = c.Report })] },
            MatrixJsonContext.Default.MatrixDocument) + "\n";
}

/// <summary>The <c>matrix --json</c> document.</summary>
internal sealed class MatrixDocument
{
    public string SchemaVersion { get; set; } = MatrixJson.SchemaVersion;

    public List<MatrixEntry> Targets { get; set; } = [];
}

/// <summary>One target of the <c>matrix --json</c> document.</summary>
internal sealed class MatrixEntry
{
    public required string Name { get; set; }

    public string? Error { get; set; }

    public ConformanceReport? Report { get; set; }
}

/// <summary>Source-generated, with the options of <see cref="ConformanceJsonContext"/> so a report reads the same in both files.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MatrixDocument))]
internal sealed partial class MatrixJsonContext : JsonSerializerContext;
