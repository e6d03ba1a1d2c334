using System.Text.Json.Serialization;

namespace Conformance.Reporting;

/// <summary>Source-generated serialisation of the JSON report (no reflection; STYLE.md §3 "Two JSON stacks").</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ConformanceReport))]
internal sealed partial class ConformanceJsonContext : JsonSerializerContext;
