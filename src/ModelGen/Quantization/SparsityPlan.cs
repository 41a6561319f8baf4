using System.Globalization;
using System.Text;

namespace ModelGen.Quantization;

/// <summary>What one layer gets under a global magnitude threshold (see <see cref="GlobalSparsity.Plan"/>).</summary>
/// <param name="Name">The layer's tensor name prefix (<see cref="DenseLayer.Name"/>).</param>
/// <param name="Weights">The layer's weight count, out x in.</param>
/// <param name="Sparsity">The value to declare (<c>Sparsity = ...</c> with <see cref="Pruning.Magnitude"/>): the
/// layer's share under the global threshold, rounded to a whole number of weights per row and printed with as few
/// decimals as still give that number. 0 means the threshold prunes less than half a weight per row: leave the layer
/// unpruned.</param>
public sealed record LayerSparsity(string Name, long Weights, double Sparsity)
{
    /// <summary>Weights of this layer the global threshold prunes (before rounding to whole weights per row).</summary>
    public long PrunedAtThreshold { get; init; }

    /// <summary>Weights each row keeps at <see cref="Sparsity"/> (<see cref="Kernels.SparseLayout.KeptPerRow"/>).</summary>
    public int KeptPerRow { get; init; }

    /// <summary>Weights this layer keeps once loaded with <see cref="Sparsity"/>.</summary>
    public long Kept { get; init; }
}

/// <summary>
/// A global sparsity target resolved into per-layer <see cref="DenseAttribute.Sparsity"/> values (layouts are
/// compile-time constants, so the plan is made offline and declared, like a calibration).
/// </summary>
/// <param name="Target">The pruned fraction asked for, over every planned layer's weights together.</param>
/// <param name="Achieved">The pruned fraction the declared <see cref="LayerSparsity.Sparsity"/> values give after
/// rounding each layer to whole weights per row.</param>
/// <param name="Threshold">The global |w| threshold, the largest pruned magnitude: weights under it are pruned, and of
/// those equal to it as many as the target needs, later layers first.</param>
/// <param name="Layers">One entry per planned layer, in model order.</param>
public sealed record SparsityPlan(double Target, double Achieved, float Threshold, IReadOnlyList<LayerSparsity> Layers)
{
    /// <summary>A table (layer, weights, pruned at the threshold, kept per row, sparsity) and the attribute values to declare.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        text.AppendLine(string.Create(c,
            $"Global magnitude pruning: target {Target:P2}, achieved {Achieved:P2} after row rounding, pruned |w| <= {Threshold:G6}"));
        text.AppendLine(string.Create(c, $"{"layer",-16} {"weights",10} {"under threshold",16} {"kept/row",9} {"sparsity",9}"));
        foreach (LayerSparsity layer in Layers)
        {
            text.AppendLine(string.Create(c,
                $"{layer.Name,-16} {layer.Weights,10:N0} {layer.PrunedAtThreshold,16:N0} {layer.KeptPerRow,9} {layer.Sparsity,9:0.####}"));
        }

        text.AppendLine("Declare (Pruning = Pruning.Magnitude):");
        foreach (LayerSparsity layer in Layers)
        {
            string value = layer.Sparsity == 0 ? "0 (leave unpruned)" : layer.Sparsity.ToString("R", c);
            text.AppendLine($"  {layer.Name}: Sparsity = {value}");
        }

        return text.ToString().TrimEnd();
    }
}
