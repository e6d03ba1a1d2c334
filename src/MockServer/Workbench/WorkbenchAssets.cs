using System.Reflection;
using System.Security.Cryptography;

namespace MockServer.Workbench;

/// <summary>
/// The workbench's files, read from the assembly's embedded <c>workbench/*</c> resources (MockServer.csproj) once, when
/// the routes are mapped: they are small, and serving from memory means no file beside the tool and no disk read per
/// request. A file is found only by its exact name among them, so no request path can reach anything else.
/// </summary>
internal sealed class WorkbenchAssets
{
    public const string ResourcePrefix = "workbench/";

    public const string IndexFile = "index.html";

    // Content types by extension; text is UTF-8. JavaScript as text/javascript (RFC 9239), which module scripts need
    // under nosniff. Anything else is served as bytes.
    private static readonly Dictionary<string, string> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".mjs"] = "text/javascript; charset=utf-8",
        [".json"] = "application/json",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".txt"] = "text/plain; charset=utf-8",
    };

    private readonly Dictionary<string, WorkbenchAsset> _files;

    private WorkbenchAssets(Dictionary<string, WorkbenchAsset> files) => _files = files;

    /// <summary>The names served, relative to <c>/workbench/</c>.</summary>
    public IEnumerable<string> Names => _files.Keys;

    /// <summary>Reads every <c>workbench/*</c> resource of this assembly.</summary>
    public static WorkbenchAssets Load()
    {
        var assembly = typeof(WorkbenchAssets).Assembly;
        var files = new Dictionary<string, WorkbenchAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var bytes = Read(assembly, name);
            var file = name[ResourcePrefix.Length..].Replace('\\', '/'); // RecursiveDir uses the build machine's separator
            files[file] = new WorkbenchAsset(bytes, ContentTypeOf(file), ETagOf(bytes));
        }

        return new WorkbenchAssets(files);
    }

    /// <summary>The file at <paramref name="path"/> (relative to <c>/workbench/</c>; empty is the page), or null.</summary>
    public WorkbenchAsset? Find(string path) => _files.GetValueOrDefault(path.Length == 0 ? IndexFile : path);

    public static string ContentTypeOf(string file) =>
        Types.GetValueOrDefault(Path.GetExtension(file), "application/octet-stream");

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>A strong tag from the content: equal bytes, equal tag, so a browser revalidates and gets a 304.</summary>
    private static string ETagOf(byte[] bytes) =>
        "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes), 0, 8) + "\"";
}
