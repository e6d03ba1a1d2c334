namespace MockServer.Fixtures;

/// <summary>A fixture file failed validation; the message names the file and the JSON path.</summary>
public sealed class FixtureLoadException : Exception
{
    public FixtureLoadException(string message)
        : base(message)
    {
    }

    public FixtureLoadException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public FixtureLoadException()
    {
    }
}
