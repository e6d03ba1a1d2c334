namespace MockServer.Fixtures;

/// <summary>
/// A run-time fixture document was refused because the server already holds <see cref="RuntimeFixtures.MaxDocuments"/>
/// of them; nothing was added. <c>POST /admin/fixtures</c> answers it as a 409 <c>fixture_limit_reached</c>.
/// </summary>
public sealed class FixtureLimitException : InvalidOperationException
{
    public FixtureLimitException(string message)
        : base(message)
    {
    }

    public FixtureLimitException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public FixtureLimitException()
    {
    }
}
