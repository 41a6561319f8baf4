namespace ModelGen;

/// <summary>
/// How a graph model's activation block was planned at build time, per sample unless named otherwise: the planned peak
/// (tensors share space once their last reader has run), the naive total (every tensor kept), and the lower bound (the
/// largest sum of tensors alive at the same time), plus the batch-independent scratch.
/// </summary>
/// <param name="FixedScratchBytes">Batch-independent scratch at the start of the block.</param>
/// <param name="PeakBytesPerSample">Planned bytes per sample of the batch region.</param>
/// <param name="NaiveBytesPerSample">Bytes per sample if every tensor had its own space.</param>
/// <param name="LowerBoundBytesPerSample">Largest sum of simultaneously live tensors per sample.</param>
public sealed record ActivationPlan(long FixedScratchBytes, long PeakBytesPerSample, long NaiveBytesPerSample, long LowerBoundBytesPerSample)
{
    /// <summary>Activation block bytes at <paramref name="batch"/> samples: fixed scratch plus the peak per sample times the batch.</summary>
    public long BlockBytes(int batch) => FixedScratchBytes + PeakBytesPerSample * batch;

    /// <summary>Planned peak over the lower bound (1 is optimal).</summary>
    public double PeakOverLowerBound => LowerBoundBytesPerSample == 0 ? 1 : (double)PeakBytesPerSample / LowerBoundBytesPerSample;
}
