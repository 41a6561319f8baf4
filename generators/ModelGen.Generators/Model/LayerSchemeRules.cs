using static ModelGen.Generators.Model.ModelValidator;

namespace ModelGen.Generators.Model;

/// <summary>
/// The validator's rules for a layer's quantization and pruning options: values out of range (MG0002) and
/// combinations that cannot work (MG0013). The runtime's layout check mirrors them.
/// </summary>
internal static class LayerSchemeRules
{
    /// <summary>Int4 block sizes the kernels support.</summary>
    public static readonly int[] GroupSizes = [32, 64, 128];

    /// <summary>Checks layer <paramref name="index"/>; false when the model cannot be planned.</summary>
    public static bool Check(EquatableArray<DenseSpec> layers, int index, Problems problems)
    {
        var layer = layers[index];
        var scheme = layer.Scheme;
        if (!layer.IsBound)
        {
            return true;
        }

        var before = problems.Count;
        CheckValues(layer, index, problems);
        var keptIn = ModelPlanner.KeptInFeatures(layers, index);
        if (problems.Count == before && layer.Precision == LayerPrecision.Float32 && keptIn > SparseSizes.MaxIndexedK
            && SparseSizes.StoredSparse(layer, layer.KeptOutFeatures, keptIn))
        {
            problems.OutOfRange(Target(scheme.SparseStorage is null ? ProblemTargetKind.Sparsity : ProblemTargetKind.SparseStorage, index),
                $"Layer '{layer.Property.Name}' would store {Number(keptIn)} inputs sparse, but fp32 sparse rows index at most {Number(SparseSizes.MaxIndexedK)} columns (16-bit): set SparseStorage = SparseStorage.Dense or use Precision.Int8");
        }

        CheckCombinations(layer, index, index == layers.Count - 1, problems);
        return problems.Count == before;
    }

    private static void CheckValues(DenseSpec layer, int index, Problems problems)
    {
        var name = layer.Property.Name;
        var scheme = layer.Scheme;
        if (scheme.Pruning is < LayerPruning.None or > LayerPruning.TwoOfFour)
        {
            problems.OutOfRange(Target(ProblemTargetKind.Pruning, index),
                $"Pruning of layer '{name}' is {Number((int)scheme.Pruning)}, which is not a defined ModelGen.Pruning value");
        }

        if (scheme.ChannelNorm is < LayerChannelNorm.L2 or > LayerChannelNorm.L1)
        {
            problems.OutOfRange(Target(ProblemTargetKind.ChannelNorm, index),
                $"ChannelNorm of layer '{name}' is {Number((int)scheme.ChannelNorm)}, which is not a defined ModelGen.ChannelNorm value");
        }

        if (scheme.InputQuantization is < LayerInputQuantization.Dynamic or > LayerInputQuantization.Static)
        {
            problems.OutOfRange(Target(ProblemTargetKind.InputQuantization, index),
                $"InputQuantization of layer '{name}' is {Number((int)scheme.InputQuantization)}, which is not a defined ModelGen.InputQuantization value");
        }

        if (scheme.SparseStorage is < LayerSparseStorage.Auto or > LayerSparseStorage.Dense)
        {
            problems.OutOfRange(Target(ProblemTargetKind.SparseStorage, index),
                $"SparseStorage of layer '{name}' is {Number((int)scheme.SparseStorage)}, which is not a defined ModelGen.SparseStorage value");
        }

        if (scheme.GroupSize is { } group && System.Array.IndexOf(GroupSizes, group) < 0)
        {
            problems.OutOfRange(Target(ProblemTargetKind.GroupSize, index),
                $"GroupSize of layer '{name}' is {Number(group)}; it must be 32, 64 or 128");
        }

        if (scheme.Sparsity is { } sparsity && !(sparsity > 0 && sparsity < 1))
        {
            problems.OutOfRange(Target(ProblemTargetKind.Sparsity, index),
                $"Sparsity of layer '{name}' is {sparsity.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}; it must be greater than 0 and less than 1 (the share of each row's weights to remove)");
        }
        else if (scheme.Pruning == LayerPruning.Magnitude && scheme.Sparsity is null)
        {
            problems.OutOfRange(Target(ProblemTargetKind.Pruning, index),
                $"Pruning.Magnitude on layer '{name}' needs Sparsity, the share of each row to remove (e.g. Sparsity = 0.8)");
        }

        if (scheme.KeepOutputs < 0 || (scheme.KeepOutputs > layer.OutFeatures && layer.OutFeatures > 0))
        {
            problems.OutOfRange(Target(ProblemTargetKind.KeepOutputs, index),
                $"KeepOutputs of layer '{name}' is {Number(scheme.KeepOutputs)}; it must be between 1 and its {Number(layer.OutFeatures)} output features (0 keeps all)");
        }
    }

    private static void CheckCombinations(DenseSpec layer, int index, bool isLast, Problems problems)
    {
        var name = layer.Property.Name;
        var scheme = layer.Scheme;
        if (scheme.GroupSize is not null && !IsInt4(layer.Precision))
        {
            problems.Incompatible(Target(ProblemTargetKind.GroupSize, index),
                $"GroupSize applies to Int4 and Int4Asymmetric layers, but layer '{name}' is {layer.Precision}: remove GroupSize or use an int4 precision");
        }

        if (scheme.Sparsity is not null && scheme.Pruning != LayerPruning.Magnitude)
        {
            problems.Incompatible(Target(ProblemTargetKind.Sparsity, index),
                $"Sparsity needs Pruning = Pruning.Magnitude, but layer '{name}' has Pruning {scheme.Pruning}");
        }

        if (scheme.SparseStorage is not null && scheme.Pruning != LayerPruning.Magnitude)
        {
            problems.Incompatible(Target(ProblemTargetKind.SparseStorage, index),
                $"SparseStorage chooses how magnitude-pruned weights are stored, but layer '{name}' has Pruning {scheme.Pruning}");
        }

        if (scheme.Pruning is LayerPruning.Magnitude or LayerPruning.TwoOfFour
            && layer.Precision is not (LayerPrecision.Float32 or LayerPrecision.Int8))
        {
            problems.Incompatible(Target(ProblemTargetKind.Pruning, index),
                $"Layer '{name}' combines {layer.Precision} weights with {scheme.Pruning} pruning: pruned layers store Float32 or Int8 values " +
                "(a sparse codebook or int4 layer would spend more on indices than it saves)");
        }

        if (scheme.InputQuantization == LayerInputQuantization.Static && layer.Precision != LayerPrecision.Int8)
        {
            problems.Incompatible(Target(ProblemTargetKind.InputQuantization, index),
                $"InputQuantization.Static on layer '{name}' needs Precision.Int8 (its input is quantized to int8), not {layer.Precision}");
        }
        else if (scheme.InputQuantization == LayerInputQuantization.Static && scheme.Pruning != LayerPruning.None)
        {
            problems.Incompatible(Target(ProblemTargetKind.InputQuantization, index),
                $"InputQuantization.Static on layer '{name}' cannot combine with {scheme.Pruning} pruning: the sparse int8 kernels quantize their input per row");
        }

        if (scheme.KeepOutputs > 0 && isLast)
        {
            problems.Incompatible(Target(ProblemTargetKind.KeepOutputs, index),
                $"KeepOutputs on the last layer '{name}' would drop model outputs: channel pruning applies to hidden layers, whose next layer shrinks with them");
        }
    }

    /// <summary>Whether <paramref name="precision"/> is block-wise int4.</summary>
    public static bool IsInt4(LayerPrecision precision) => precision is LayerPrecision.Int4 or LayerPrecision.Int4Asymmetric;

    /// <summary>
    /// The input width an int4 layer stores and computes: <paramref name="k"/> rounded up to whole groups (the padding
    /// columns hold zero weights, and Forward pads the input rows with zeros); other layers use <paramref name="k"/>.
    /// </summary>
    public static int PaddedInFeatures(DenseSpec layer, int k)
    {
        if (!IsInt4(layer.Precision))
        {
            return k;
        }

        var group = layer.Scheme.EffectiveGroupSize;
        return (k + group - 1) / group * group;
    }

    private static ProblemTarget Target(ProblemTargetKind kind, int index) => ProblemTarget.Layer(kind, index);
}
