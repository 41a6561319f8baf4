namespace ModelGen;

/// <summary>
/// The packed layout of dense layers in a weight block. The generator computes the same numbers at build time
/// (tests check both agree): per layer, in declaration order, each tensor starts on a 64-byte boundary:
/// weights [out, in] row-major at the layer's precision, then fp32 scales [out] (Int8), then fp32 bias [out].
/// </summary>
public static class DenseLayout
{
    /// <summary>Alignment of every tensor and block, in bytes (a cache line; a multiple of every vector width).</summary>
    public const int Alignment = 64;

    /// <summary>Bytes per weight element.</summary>
    public static int ElementBytes(Precision precision) => precision switch
    {
        Precision.Float32 => 4,
        Precision.Float16 or Precision.BFloat16 => 2,
        Precision.Int8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown precision."),
    };

    /// <summary>Rounds <paramref name="bytes"/> up to <see cref="Alignment"/>.</summary>
    public static long Align(long bytes) => (bytes + Alignment - 1) & ~(long)(Alignment - 1);

    /// <summary>Bytes of the packed weight matrix.</summary>
    public static long WeightMatrixBytes(int inFeatures, int outFeatures, Precision precision) =>
        (long)inFeatures * outFeatures * ElementBytes(precision);

    /// <summary>Bytes of weights, scales and bias, without alignment padding.</summary>
    public static long LayerBytes(int inFeatures, int outFeatures, Precision precision, bool hasBias) =>
        WeightMatrixBytes(inFeatures, outFeatures, precision)
        + (precision == Precision.Int8 ? 4L * outFeatures : 0)
        + (hasBias ? 4L * outFeatures : 0);
}
