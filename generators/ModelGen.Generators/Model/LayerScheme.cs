namespace ModelGen.Generators.Model;

/// <summary>A <c>[Dense]</c> layer's quantization and pruning arguments, as written (null: not set).</summary>
/// <param name="GroupSize">Int4 block size, or null when not set (the attribute's default is 32).</param>
/// <param name="Pruning">Weight pruning, possibly an undefined value cast from an integer.</param>
/// <param name="Sparsity">Share pruned by magnitude pruning, or null when not set.</param>
/// <param name="KeepOutputs">Output neurons kept; 0 keeps all.</param>
/// <param name="ChannelNorm">Neuron ranking norm, possibly undefined.</param>
/// <param name="InputQuantization">Int8 input quantization, possibly undefined.</param>
/// <param name="SparseStorage">Sparse or dense storage of magnitude-pruned weights, or null when not set.</param>
internal sealed record LayerScheme(
    int? GroupSize,
    LayerPruning Pruning,
    double? Sparsity,
    int KeepOutputs,
    LayerChannelNorm ChannelNorm,
    LayerInputQuantization InputQuantization,
    LayerSparseStorage? SparseStorage = null)
{
    /// <summary>No options beyond the precision.</summary>
    public static LayerScheme Plain { get; } = new(null, LayerPruning.None, null, 0, LayerChannelNorm.L2, LayerInputQuantization.Dynamic);

    /// <summary>The attribute's default int4 group size.</summary>
    public const int DefaultGroupSize = 32;

    /// <summary>The group size in effect.</summary>
    public int EffectiveGroupSize => GroupSize ?? DefaultGroupSize;
}
