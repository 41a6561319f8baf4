using ModelGen.Generators.Model;
using ModelGen.Generators.Model.Graph;

namespace ModelGen.Analyzers;

/// <summary>
/// The share of vector lanes a layer's rows leave empty. The kernels walk each weight row (InFeatures long) in
/// 256-bit vectors: 8 lanes for fp32/fp16/bf16 and codebook layers (widened to fp32), 32 for int8; int4 rows are
/// padded with zero weights to whole groups (32, 64 or 128). The last step of every row is partly padding when the
/// input width is not a multiple of that. A graph model's Dense layers run the same row kernels; its convolutions do
/// not walk rows of weights (their tiles vectorize along output positions), so they have no such waste.
/// </summary>
internal static class PaddingWaste
{
    /// <summary>The default threshold above which MG0009 reports a layer (a quarter of the lanes).</summary>
    public const double DefaultThreshold = 0.25;

    /// <summary>Weights one step of <paramref name="layer"/>'s kernel covers: a 256-bit vector, or an int4 group.</summary>
    public static int Lanes(DenseSpec layer) =>
        LayerSchemeRules.IsInt4(layer.Precision) ? layer.Scheme.EffectiveGroupSize : VectorLanes(layer.Precision);

    /// <summary>
    /// Weights one step of a graph Dense layer's kernel covers (graph models take no int4 or codebook precision);
    /// null for layers the rule does not apply to.
    /// </summary>
    public static int? Lanes(GraphLayerSpec layer) =>
        layer.Kind == GraphLayerKind.Dense ? VectorLanes(layer.Precision) : null;

    /// <summary>Wasted fraction of the lanes for rows of <paramref name="inFeatures"/> values.</summary>
    public static double Fraction(int inFeatures, DenseSpec layer) => Fraction(inFeatures, Lanes(layer));

    /// <summary>Wasted fraction of <paramref name="lanes"/>-lane steps for rows of <paramref name="inFeatures"/> values.</summary>
    public static double Fraction(int inFeatures, int lanes)
    {
        var padded = (inFeatures + lanes - 1) / lanes * lanes;
        return 1.0 - ((double)inFeatures / padded);
    }

    // A 256-bit vector of the weights as the kernel reads them: int8 stays 8-bit, everything else is widened to fp32.
    private static int VectorLanes(LayerPrecision precision) => precision == LayerPrecision.Int8 ? 32 : 8;
}
