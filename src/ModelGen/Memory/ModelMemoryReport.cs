using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace ModelGen;

/// <summary>
/// The memory a model takes, computed at build time by the generator: weights per layer (as stored, and unpruned in
/// fp32), activations per sample and at <see cref="MaxBatch"/>, and the native blocks an instance allocates.
/// </summary>
public sealed class ModelMemoryReport
{
    /// <summary>Used by generated code.</summary>
    public ModelMemoryReport(string modelName, int maxBatch, ImmutableArray<LayerMemory> layers,
        long weightBlockBytes, long activationBytesPerSample, long activationBlockBytes)
    {
        ModelName = modelName;
        MaxBatch = maxBatch;
        Layers = layers;
        WeightBlockBytes = weightBlockBytes;
        ActivationBytesPerSample = activationBytesPerSample;
        ActivationBlockBytes = activationBlockBytes;
    }

    /// <summary>The model class name.</summary>
    public string ModelName { get; }
    /// <summary>Largest batch the activation block is planned for.</summary>
    public int MaxBatch { get; }
    /// <summary>Per-layer weight memory, in layer order.</summary>
    public ImmutableArray<LayerMemory> Layers { get; }
    /// <summary>Sum of the layers' bytes at their precisions (no alignment padding).</summary>
    public long WeightBytes => Layers.Sum(l => l.Bytes);
    /// <summary>Sum of the layers' bytes in fp32.</summary>
    public long Float32WeightBytes => Layers.Sum(l => l.Float32Bytes);
    /// <summary>Size of the native weight block, with 64-byte alignment of every tensor.</summary>
    public long WeightBlockBytes { get; }
    /// <summary>Activation and scratch bytes one sample needs.</summary>
    public long ActivationBytesPerSample { get; }
    /// <summary>Size of the native activation block, planned for <see cref="MaxBatch"/>.</summary>
    public long ActivationBlockBytes { get; }
    /// <summary>Native bytes one model instance allocates: weight block plus activation block.</summary>
    public long TotalBytes => WeightBlockBytes + ActivationBlockBytes;

    /// <summary>For graph models, how the activation block was planned (peak, naive total, lower bound); null for Dense chains.</summary>
    public ActivationPlan? Plan { get; init; }

    /// <summary>A readable table of the figures.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"{ModelName} memory (MaxBatch {MaxBatch})").AppendLine();
        sb.Append(c, $"  {"layer",-16} {"bytes",12} {"fp32 bytes",12} {"ratio",7}  storage").AppendLine();
        foreach (var l in Layers)
        {
            sb.Append(c, $"  {l.Name,-16} {l.Bytes,12:N0} {l.Float32Bytes,12:N0} {Ratio(l.Bytes, l.Float32Bytes),7:P1}  {l.Storage}").AppendLine();
        }

        sb.Append(c, $"  {"weights",-16} {WeightBytes,12:N0} {Float32WeightBytes,12:N0} {Ratio(WeightBytes, Float32WeightBytes),7:P1}").AppendLine();
        sb.Append(c, $"  activations: {ActivationBytesPerSample:N0} bytes/sample, {ActivationBlockBytes:N0} bytes at batch {MaxBatch}").AppendLine();
        if (Plan is { } plan)
        {
            sb.Append(c, $"  activation plan per sample: peak {plan.PeakBytesPerSample:N0}, naive {plan.NaiveBytesPerSample:N0}, lower bound {plan.LowerBoundBytesPerSample:N0} (peak/lower bound {plan.PeakOverLowerBound:F3}); fixed scratch {plan.FixedScratchBytes:N0}").AppendLine();
            sb.Append(c, $"  activation plan at batch {MaxBatch}: peak {plan.BlockBytes(MaxBatch):N0}, naive {plan.FixedScratchBytes + plan.NaiveBytesPerSample * MaxBatch:N0}, lower bound {plan.FixedScratchBytes + plan.LowerBoundBytesPerSample * MaxBatch:N0}").AppendLine();
        }

        sb.Append(c, $"  native total: {TotalBytes:N0} bytes (weight block {WeightBlockBytes:N0} + activation block {ActivationBlockBytes:N0})");
        return sb.ToString();
    }

    private static double Ratio(long a, long b) => b == 0 ? 0 : (double)a / b;
}
