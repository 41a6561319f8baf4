using ModelGen.IO;
using ModelGen.Kernels;

namespace ModelGen.Bench;

/// <summary>
/// What a generated <c>Forward</c> costs beyond its kernels: a model so small (16 -> 16 -> 16) that the kernel work
/// is a few nanoseconds, timed against the same two kernel calls made directly. The difference is the price of the
/// generated code calling into the runtime (argument checks, the concurrency guard, span slicing, dispatch).
/// </summary>
public static class OverheadBench
{
    /// <summary>Returns (generated Forward us, direct kernel calls us).</summary>
    public static (double ForwardUs, double KernelsUs) Measure(bool quick)
    {
        var random = new Random(7);
        float[] Values(int count) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] w1 = Values(256), b1 = Values(16), w2 = Values(256), b2 = Values(16);

        var writer = new SafeTensorsWriter();
        writer.AddTensor("first.weight", SafeTensorsDType.F32, w1, 16, 16);
        writer.AddTensor("first.bias", SafeTensorsDType.F32, b1, 16);
        writer.AddTensor("second.weight", SafeTensorsDType.F32, w2, 16, 16);
        writer.AddTensor("second.bias", SafeTensorsDType.F32, b2, 16);
        using var file = new MemoryStream();
        writer.WriteTo(file);
        file.Position = 0;

        using var model = TinyModel.Load(file);
        float[] x = Values(16), hidden = new float[16], y = new float[16];
        double forward = Timing.MedianMicroseconds(() => model.Forward(x, y, 1), quick);
        double kernels = Timing.MedianMicroseconds(() =>
        {
            DenseKernels.Float32(x, w1, b1, hidden, 1, 16, 16, Activation.Relu);
            DenseKernels.Float32(hidden, w2, b2, y, 1, 16, 16, Activation.None);
        }, quick);
        return (forward, kernels);
    }
}

/// <summary>The smallest useful model: two 16-wide fp32 layers.</summary>
[Model(MaxBatch = 1)]
public sealed partial class TinyModel
{
    /// <summary>16 -> 16, ReLU.</summary>
    [Dense(16, 16, Activation = Activation.Relu)]
    public partial DenseLayer First { get; }

    /// <summary>16 -> 16.</summary>
    [Dense(16, 16)]
    public partial DenseLayer Second { get; }
}
