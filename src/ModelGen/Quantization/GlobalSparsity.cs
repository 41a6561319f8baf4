using System.Runtime.InteropServices;
using ModelGen.IO;
using ModelGen.Kernels;
using ModelGen.Numerics;

namespace ModelGen.Quantization;

/// <summary>
/// Plans unstructured magnitude pruning to a global sparsity target: one |w| threshold over the weights of several
/// layers together, so a layer of many small weights loses more than one of large weights. The sparse layouts are
/// compile-time constants, so the plan is made offline and its per-layer <see cref="LayerSparsity.Sparsity"/> values
/// are declared on the layers (<c>[Dense(..., Pruning = Pruning.Magnitude, Sparsity = ...)]</c>), as a calibration is.
/// </summary>
/// <remarks>
/// The threshold is exact: each layer's magnitudes are sorted once (4 bytes per weight, the only full-size memory; a
/// dense model's weights fit in memory) and the global order statistic is found by bisecting the fp32 magnitude bits,
/// counting each layer by binary search. Of the round(target x total) smallest magnitudes, ties at the threshold go to
/// the later layers first (the pruner, too, keeps the lower of tied columns). Each layer's share is then rounded to
/// whole weights per row as <see cref="SparseLayout.KeptPerRow"/> rounds it, which is all a layout can represent.
/// </remarks>
public static class GlobalSparsity
{
    /// <summary>Fewest decimals a declared sparsity is printed with.</summary>
    private const int MinDecimals = 4;

    /// <summary>
    /// Finds the global magnitude threshold that prunes <paramref name="target"/> of the chosen layers' weights and
    /// each layer's sparsity under it.
    /// </summary>
    /// <param name="weights">A safetensors stream with <c>{name}.weight</c> [out, in] per chosen layer (F32, F16, BF16 or
    /// F64, read as fp32; other tensors are ignored).</param>
    /// <param name="layers">The model's layers (generated models expose them as <c>Layers</c>).</param>
    /// <param name="target">The pruned fraction over all chosen weights, in (0, 1).</param>
    /// <param name="layerNames">The layers to prune, by <see cref="DenseLayer.Name"/>; by default every layer declared
    /// with <see cref="Pruning.Magnitude"/>, or every layer when none is.</param>
    /// <exception cref="ArgumentException">A target outside (0, 1), no layers, an unknown or repeated layer name, a layer
    /// that prunes channels, a weight that is not finite (tensor, row and column named), or a layer whose rows would
    /// keep no weight at the rounded plan.</exception>
    /// <exception cref="ModelFormatException">The weights are malformed, missing or of the wrong shape or dtype.</exception>
    public static SparsityPlan Plan(Stream weights, IReadOnlyList<DenseLayer> layers, double target,
        IEnumerable<string>? layerNames = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(layers);
        if (!(target > 0 && target < 1))
        {
            throw new ArgumentException(
                $"The global sparsity target {target} is not in (0, 1): it is the pruned fraction, and 1 would leave layers with no weights.",
                nameof(target));
        }

        DenseLayer[] chosen = Choose(layers, layerNames);
        var magnitudes = new uint[chosen.Length][];
        using (SafeTensorsFile file = SafeTensorsFile.Open(weights))
        {
            for (int l = 0; l < chosen.Length; l++)
            {
                magnitudes[l] = SortedMagnitudes(file, chosen[l]);
            }
        }

        long total = magnitudes.Sum(m => (long)m.Length);
        long pruned = (long)Math.Round(target * total, MidpointRounding.ToEven);
        uint threshold = Threshold(magnitudes, pruned);

        // Weights strictly under the threshold are pruned; the rest of the count comes from ties at it, later layers first.
        var under = new long[chosen.Length];
        long ties = pruned;
        for (int l = 0; l < chosen.Length; l++)
        {
            under[l] = CountBelow(magnitudes[l], threshold);
            ties -= under[l];
        }

        for (int l = chosen.Length - 1; l >= 0 && ties > 0; l--)
        {
            long tied = CountBelow(magnitudes[l], threshold + 1) - under[l];
            long taken = Math.Min(tied, ties);
            under[l] += taken;
            ties -= taken;
        }

        var planned = new LayerSparsity[chosen.Length];
        long kept = 0;
        for (int l = 0; l < chosen.Length; l++)
        {
            planned[l] = Round(chosen[l], magnitudes[l].Length, under[l], target);
            kept += planned[l].Kept;
        }

        return new SparsityPlan(target, 1 - (double)kept / total, BitConverter.UInt32BitsToSingle(threshold), planned);
    }

    /// <summary>The layers named, or the default choice; each once, in model order.</summary>
    private static DenseLayer[] Choose(IReadOnlyList<DenseLayer> layers, IEnumerable<string>? layerNames)
    {
        for (int l = 0; l < layers.Count; l++)
        {
            if (layers[l] is null)
            {
                throw new ArgumentNullException(nameof(layers), $"layers[{l}] is null.");
            }
        }

        DenseLayer[] chosen;
        if (layerNames is null)
        {
            chosen = [.. layers.Where(l => l.Pruning == Pruning.Magnitude)];
            if (chosen.Length == 0)
            {
                chosen = [.. layers];
            }
        }
        else
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (string name in layerNames)
            {
                ArgumentNullException.ThrowIfNull(name, nameof(layerNames));
                if (!layers.Any(l => l.Name == name))
                {
                    throw new ArgumentException(
                        $"There is no layer '{name}'; the layers are {string.Join(", ", layers.Select(l => $"'{l.Name}'"))}.", nameof(layerNames));
                }

                if (!names.Add(name))
                {
                    throw new ArgumentException($"Layer '{name}' is named twice.", nameof(layerNames));
                }
            }

            chosen = [.. layers.Where(l => names.Contains(l.Name))];
        }

        if (chosen.Length == 0)
        {
            throw new ArgumentException("A global sparsity plan needs at least one layer to prune.", layerNames is null ? nameof(layers) : nameof(layerNames));
        }

        foreach (DenseLayer layer in chosen)
        {
            if (layer.OutFeatures != layer.SourceOutFeatures || layer.InFeatures != layer.SourceInFeatures)
            {
                throw new ArgumentException(
                    $"Layer '{layer.Name}' prunes channels ({layer.SourceInFeatures} -> {layer.SourceOutFeatures} in the file, " +
                    $"{layer.InFeatures} -> {layer.OutFeatures} computed): the plan ranks the file's weights as they are, so it " +
                    "cannot include layers that prune channels; leave it out with layerNames.", nameof(layers));
            }
        }

        return chosen;
    }

    /// <summary>The layer's weights as sorted |w| fp32 bits (which order like the magnitudes; -0 equals +0).</summary>
    private static uint[] SortedMagnitudes(SafeTensorsFile file, DenseLayer layer)
    {
        int n = layer.OutFeatures, k = layer.InFeatures;
        string name = layer.Name + ".weight";
        if (!file.TryGetTensor(name, out TensorEntry? tensor))
        {
            throw new ModelFormatException($"The file has no tensor '{name}': layer '{layer.Name}' expects its weights of shape [{n}, {k}].");
        }

        if (!tensor.HasShape(n, k))
        {
            throw new ModelFormatException(
                $"Tensor '{name}' has shape {tensor.ShapeText}; layer '{layer.Name}' ({k} -> {n}) expects [{n}, {k}].");
        }

        var bits = new uint[checked(n * k)];
        Span<float> values = MemoryMarshal.Cast<uint, float>(bits.AsSpan());
        file.ReadFloat32(tensor, 0, values);
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new ArgumentException(
                    $"Cannot plan pruning of '{name}': row {i / k}, column {i % k} holds {FloatFormat.Describe(values[i])}, not a finite number.",
                    "weights");
            }
        }

        for (int i = 0; i < bits.Length; i++)
        {
            bits[i] &= 0x7FFFFFFF;
        }

        Array.Sort(bits);
        return bits;
    }

    /// <summary>The smallest magnitude (as bits) with at least <paramref name="pruned"/> magnitudes at or below it; 0 when none are pruned.</summary>
    private static uint Threshold(uint[][] magnitudes, long pruned)
    {
        if (pruned == 0)
        {
            return 0;
        }

        uint low = 0, high = 0x7F7FFFFF; // float.MaxValue: every finite magnitude is at or below it.
        while (low < high)
        {
            uint middle = low + (high - low) / 2;
            long atOrBelow = magnitudes.Sum(m => (long)CountBelow(m, middle + 1));
            if (atOrBelow >= pruned)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }

    /// <summary>How many of the sorted <paramref name="sorted"/> are below <paramref name="bound"/>.</summary>
    private static int CountBelow(uint[] sorted, uint bound)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            int middle = low + (high - low) / 2;
            if (sorted[middle] < bound)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>The layer's share rounded to whole weights per row, as the declared attribute value.</summary>
    private static LayerSparsity Round(DenseLayer layer, long weights, long pruned, double target)
    {
        int n = layer.OutFeatures, k = layer.InFeatures;
        double share = (double)pruned / weights;
        int keptPerRow = (int)Math.Round(k * (1 - share), MidpointRounding.ToEven);
        if (keptPerRow == 0)
        {
            throw new ArgumentException(
                $"At the global target {target} the threshold prunes {pruned} of the {weights} weights of layer '{layer.Name}' " +
                $"({share:P2}): its rows of {k} would keep no weight. Lower the target or leave the layer out with layerNames.", nameof(target));
        }

        return new LayerSparsity(layer.Name, weights, Declared(k, keptPerRow))
        {
            PrunedAtThreshold = pruned,
            KeptPerRow = keptPerRow,
            Kept = (long)n * keptPerRow,
        };
    }

    /// <summary>
    /// 1 - kept / k with the fewest decimals (at least <see cref="MinDecimals"/>) that <see cref="SparseLayout.KeptPerRow"/>
    /// maps back to <paramref name="keptPerRow"/>; 0 when every weight is kept.
    /// </summary>
    private static double Declared(int k, int keptPerRow)
    {
        if (keptPerRow == k)
        {
            return 0;
        }

        double exact = 1 - (double)keptPerRow / k;
        for (int decimals = MinDecimals; decimals <= 15; decimals++)
        {
            double rounded = Math.Round(exact, decimals, MidpointRounding.ToEven);
            if (rounded > 0 && rounded < 1 && SparseLayout.KeptPerRow(k, rounded) == keptPerRow)
            {
                return rounded;
            }
        }

        return exact;
    }
}
