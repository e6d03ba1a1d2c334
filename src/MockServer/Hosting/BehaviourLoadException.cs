namespace MockServer.Hosting;

/// <summary>A behaviour file failed validation; the message names the file and the JSON path (and the line, when known).</summary>
public sealed class BehaviourLoadException : Exception
{
    public BehaviourLoadException(string message)
        : base(message)
    {
    }

    public BehaviourLoadException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public BehaviourLoadException()
    {
    }
}
