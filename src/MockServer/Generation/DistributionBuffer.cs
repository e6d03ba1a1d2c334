namespace MockServer.Generation;

/// <summary>
/// The model's distribution over the vocabulary, one array per request shared by its candidates: a candidate computes
/// it afresh at every step that reads it, and candidates are advanced one at a time, so n choices of a stalled stream
/// hold one vocabulary-sized array, not n.
/// </summary>
internal sealed class DistributionBuffer(int size)
{
    private double[]? _array;

    public double[] Array => _array ??= new double[size];
}
