namespace ModelGen.Generators.Model.Graph;

/// <summary>
/// A planned activation block for one sample: each tensor's place, and the numbers that judge the plan (the runtime's
/// <c>ActivationPlan</c> reports them).
/// </summary>
/// <param name="Placements">One per planned tensor, in the order the tensors were given.</param>
/// <param name="PeakBytes">End of the highest placed tensor: the batch region's bytes per sample.</param>
/// <param name="NaiveBytes">Sum of every tensor's aligned size, as if none shared space.</param>
/// <param name="LowerBoundBytes">
/// Largest sum of aligned sizes live at one step (an in-place chain counted once): no placement can use less.
/// </param>
internal sealed record ActivationLayout(EquatableArray<TensorPlacement> Placements, long PeakBytes, long NaiveBytes, long LowerBoundBytes)
{
    /// <summary>Planned peak over the lower bound (1 is optimal; 1 for an empty plan).</summary>
    public double PeakOverLowerBound => LowerBoundBytes == 0 ? 1 : (double)PeakBytes / LowerBoundBytes;
}
