using ModelGen.Generators.Model;

namespace ModelGen.Analyzers;

/// <summary>
/// The share of vector lanes a layer's rows leave empty. The kernels walk each weight row (InFeatures long) in
/// 256-bit vectors: 8 lanes for fp32/fp16/bf16 and codebook layers (widened to fp32), 32 for int8; int4 rows are
/// padded with zero weights to whole groups (32, 64 or 128). The last step of every row is partly padding when the
/// input width is not a multiple of that.
/// </summary>
internal static class PaddingWaste
{
    /// <summary>The default threshold above which MG0009 reports a layer (a quarter of the lanes).</summary>
    public const double DefaultThreshold = 0.25;

    /// <summary>Weights one step of <paramref name="layer"/>'s kernel covers: a 256-bit vector, or an int4 group.</summary>
    public static int Lanes(DenseSpec layer) =>
        LayerSchemeRules.IsInt4(layer.Precision) ? layer.Scheme.EffectiveGroupSize
        : layer.Precision == LayerPrecision.Int8 ? 32
        : 8;

    /// <summary>Wasted fraction of the lanes for rows of <paramref name="inFeatures"/> values.</summary>
    public static double Fraction(int inFeatures, DenseSpec layer)
    {
        var lanes = Lanes(layer);
        var padded = (inFeatures + lanes - 1) / lanes * lanes;
        return 1.0 - ((double)inFeatures / padded);
    }
}
