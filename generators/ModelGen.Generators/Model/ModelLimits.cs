namespace ModelGen.Generators.Model;

/// <summary>The bounds a model must stay within; the validator reports values outside them.</summary>
internal static class ModelLimits
{
    /// <summary>Largest <c>InFeatures</c>/<c>OutFeatures</c> (2^24).</summary>
    public const int MaxFeatures = 16_777_216;

    /// <summary>
    /// Rows a chunked layer runs per kernel call (16-bit activation storage, or an int4 layer with padded input rows):
    /// its fp32 staging rows are planned for this many rows, not for MaxBatch.
    /// </summary>
    public const int ChunkRows = 8;

    /// <summary>Largest <c>MaxBatch</c> (2^20).</summary>
    public const int MaxBatch = 1_048_576;

    /// <summary>
    /// Largest weight matrix, weight block and activation block, in bytes: native blocks and the offsets in
    /// <c>DenseLayer</c> are <c>int</c>-addressed.
    /// </summary>
    public const long MaxBlockBytes = int.MaxValue;

    /// <summary>Every tensor and block starts on this boundary (the runtime's <c>DenseLayout.Alignment</c>).</summary>
    public const int Alignment = 64;
}
