using System.Text;

namespace Conformance.Reporting;

/// <summary>How report files are written: UTF-8 without a BOM, the encoding the JUnit file's XML declaration names.</summary>
internal static class ReportFile
{
    public static Encoding Encoding { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    public static Task WriteAsync(string path, string text, CancellationToken ct) => File.WriteAllTextAsync(path, text, Encoding, ct);
}
