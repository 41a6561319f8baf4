using System.Linq;
using ModelGen.Generators.Model;

namespace ModelGen.Analyzers;

/// <summary>
/// How a valid model's planned memory (weight block + activation block at MaxBatch) compares with a byte budget, and
/// what would bring it under: the largest MaxBatch that fits, and the layer whose precision is worth lowering.
/// </summary>
/// <param name="TotalBytes">Native bytes one instance allocates at the declared MaxBatch.</param>
/// <param name="WeightBlockBytes">The weight block.</param>
/// <param name="ActivationBlockBytes">The activation block at the declared MaxBatch.</param>
/// <param name="LargestFittingBatch">The largest MaxBatch whose plan fits the budget; 0 when even batch 1 does not.</param>
/// <param name="LargestLayer">Index of the layer holding the most bytes (into the graph layers of a graph model).</param>
/// <param name="LowerPrecision">A smaller precision for that layer that its other options allow, or null when there is none.</param>
internal sealed record MemoryBudgetCheck(
    long TotalBytes, long WeightBlockBytes, long ActivationBlockBytes, int LargestFittingBatch, int LargestLayer, LayerPrecision? LowerPrecision)
{
    /// <summary>Compares <paramref name="plan"/>, the plan of <paramref name="spec"/>, with <paramref name="budget"/>; null when it fits.</summary>
    public static MemoryBudgetCheck? Exceeded(ModelSpec spec, ModelPlan plan, long budget)
    {
        if (plan.TotalBytes <= budget)
        {
            return null;
        }

        if (plan.Graph is { } graph)
        {
            // Graph models: the exact plan scales linearly with the batch; the largest layer is the largest memory line.
            var perSample = graph.PeakBytesPerSample;
            var left = budget - graph.WeightBlockBytes - graph.FixedScratchBytes;
            var fitting = left < 0 ? 0 : perSample == 0 ? spec.Options.MaxBatch : (int)System.Math.Min(spec.Options.MaxBatch, left / perSample);
            var heaviest = graph.Memory.OrderByDescending(static m => m.Bytes).FirstOrDefault();
            var index = heaviest is null ? 0 : Enumerable.Range(0, spec.GraphLayers.Count).First(i => spec.GraphLayers[i].TensorName == heaviest.Name);
            var layer = spec.GraphLayers[index];
            return new MemoryBudgetCheck(plan.TotalBytes, plan.WeightBlockBytes, plan.Activations.BlockBytes, fitting, index,
                layer.HasWeightPrecision ? LowerGraph(layer.Precision) : null);
        }

        var largest = Enumerable.Range(0, spec.Layers.Count).OrderByDescending(i => plan.Layers[i].Bytes).First();
        return new MemoryBudgetCheck(
            plan.TotalBytes, plan.WeightBlockBytes, plan.Activations.BlockBytes,
            FindLargestFittingBatch(spec, budget), largest, Lower(spec.Layers[largest]));
    }

    // Memory grows with the batch, so binary search below the declared MaxBatch.
    private static int FindLargestFittingBatch(ModelSpec spec, long budget)
    {
        int low = 0, high = spec.Options.MaxBatch - 1;
        while (low < high)
        {
            var middle = low + ((high - low + 1) / 2);
            if (ModelPlanner.Plan(WithMaxBatch(spec, middle)).TotalBytes <= budget)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return low;
    }

    private static ModelSpec WithMaxBatch(ModelSpec spec, int maxBatch) =>
        spec with { Options = spec.Options with { MaxBatch = maxBatch } };

    // Graph models store Dense and Conv2d weights as Float32, Float16, BFloat16 or Int8.
    private static LayerPrecision? LowerGraph(LayerPrecision precision) => precision switch
    {
        LayerPrecision.Float32 => LayerPrecision.Float16,
        LayerPrecision.Float16 or LayerPrecision.BFloat16 => LayerPrecision.Int8,
        _ => null,
    };

    // Halve the storage or better: fp32 -> fp16, 16-bit -> int8, int8 -> int4 (block size 32). Only precisions that
    // combine with the layer's other options (MG0013): pruned layers store fp32 or int8 values, static inputs need int8.
    private static LayerPrecision? Lower(DenseSpec layer)
    {
        if (layer.Scheme.Pruning != LayerPruning.None)
        {
            return layer.Precision == LayerPrecision.Float32 ? LayerPrecision.Int8 : null;
        }

        return layer.Precision switch
        {
            LayerPrecision.Float32 => LayerPrecision.Float16,
            LayerPrecision.Float16 or LayerPrecision.BFloat16 => LayerPrecision.Int8,
            LayerPrecision.Int8 when layer.Scheme.InputQuantization == LayerInputQuantization.Dynamic => LayerPrecision.Int4,
            _ => null,
        };
    }
}
