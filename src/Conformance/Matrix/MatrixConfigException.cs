namespace Conformance.Matrix;

/// <summary>A matrix config file that cannot be used; the message names the file, the JSON path and the line.</summary>
internal sealed class MatrixConfigException : Exception
{
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
