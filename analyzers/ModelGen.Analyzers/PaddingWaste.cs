using ModelGen.Generators.Model;

namespace ModelGen.Analyzers;

/// <summary>
/// The share of vector lanes a layer's rows leave empty. The kernels walk each weight row (InFeatures long) in
/// 256-bit vectors: 8 lanes for fp32/fp16/bf16 (widened to fp32), 32 for int8; the last vector of every row is
/// partly padding when InFeatures is not a multiple of that.
/// </summary>
internal static class PaddingWaste
{
    /// <summary>The default threshold above which MG0009 reports a layer (a quarter of the lanes).</summary>
    public const double DefaultThreshold = 0.25;

    /// <summary>Lanes of one 256-bit step for <paramref name="precision"/>.</summary>
    public static int Lanes(LayerPrecision precision) => precision == LayerPrecision.Int8 ? 32 : 8;

    /// <summary>Wasted fraction of the lanes for rows of <paramref name="inFeatures"/> values.</summary>
    public static double Fraction(int inFeatures, LayerPrecision precision)
    {
        var lanes = Lanes(precision);
        var padded = (inFeatures + lanes - 1) / lanes * lanes;
        return 1.0 - ((double)inFeatures / padded);
    }
}
