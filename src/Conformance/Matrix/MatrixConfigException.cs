namespace Conformance.Matrix;

/// <summary>A matrix config file that cannot be used; the message names the file, the JSON path and the line.</summary>
internal sealed class MatrixConfigException : Exception
{
    /// <summary>Gets the names of the key variables the file names (<c>apiKeyEnv</c>): their values are redacted from the message.</summary>
    public IReadOnlyList<string> KeyVariables { get; init; } = [];

    public MatrixConfigException()
    {
    }

    public MatrixConfigException(string message)
        : base(message)
    {
    }

    public MatrixConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
