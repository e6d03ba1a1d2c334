namespace MockServer.Budgets;

/// <summary>A keys file could not be used; the message names the file, the JSON path and the line, and never a key.</summary>
public sealed class KeysFileException : Exception
{
    public KeysFileException(string message)
        : base(message)
    {
    }

    public KeysFileException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public KeysFileException()
    {
    }
}
