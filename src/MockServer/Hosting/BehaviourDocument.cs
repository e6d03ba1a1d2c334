namespace MockServer.Hosting;

/// <summary>
/// A behaviour file's text (<c>schemas/behaviour.schema.json</c>: the server-wide timing and a seeded fault schedule)
/// and the name it is reported under, given in code; <see cref="MockServerOptions.BehaviourFile"/> reads one from disk.
/// </summary>
/// <param name="Name">A file name or label used in error messages.</param>
/// <param name="Json">The document (JSON; comments and trailing commas allowed, as in fixture files).</param>
public sealed record BehaviourDocument(string Name, string Json);
