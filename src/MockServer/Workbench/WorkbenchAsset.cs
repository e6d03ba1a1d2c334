namespace MockServer.Workbench;

/// <summary>One file of the workbench as it is served: its bytes, content type and entity tag, made once at start.</summary>
internal sealed record WorkbenchAsset(byte[] Bytes, string ContentType, string ETag);
