using ModelGen.Kernels;

namespace ModelGen.Bench;

/// <summary>
/// Static (calibrated scale, no range pass) against dynamic (per-row max|x|) int8 on the Fashion-MNIST hidden layer's
/// shape, 784 -> 256 ReLU, W in L2. Both kernels share the int8 GEMM; the difference is the activation quantizer.
/// Variants alternate within one process, twice, so drift on a shared machine shows up as disagreement between rounds.
/// </summary>
public static class Int8StaticBench
{
    private const int K = 784, N = 256;

    /// <summary>Prints dynamic and static microseconds per call and their ratio, per batch and round.</summary>
    public static void Run(bool quick)
    {
        var random = new Random(7);
        var w = new sbyte[N * K];
        random.NextBytes((byte[])(Array)w);
        var wScales = Enumerable.Range(0, N).Select(_ => 0.001f + (float)random.NextDouble() * 0.01f).ToArray();
        var bias = Enumerable.Range(0, N).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        Console.WriteLine($"int8 784x256 ReLU, kernel path {KernelPaths.Best}: dynamic (Int8) vs static (Int8Static), us per call");
        Console.WriteLine($"{"batch",6} {"round",6} {"dynamic",10} {"static",10} {"static/dynamic",15}");
        foreach (int batch in new[] { 1, 8, 64 })
        {
            // Non-negative inputs like the pixels the layer sees.
            var x = Enumerable.Range(0, batch * K).Select(_ => (float)random.NextDouble()).ToArray();
            var y = new float[batch * N];
            var xq = new sbyte[batch * K];
            var xScales = new float[batch];
            for (int round = 1; round <= 2; round++)
            {
                double dynamic = Timing.MedianMicroseconds(
                    () => DenseKernels.Int8(x, w, wScales, bias, y, batch, K, N, Activation.Relu, xq, xScales), quick);
                double fixedScale = Timing.MedianMicroseconds(
                    () => DenseKernels.Int8Static(x, 1f / 127, w, wScales, bias, y, batch, K, N, Activation.Relu, xq), quick);
                Console.WriteLine($"{batch,6} {round,6} {dynamic,10:F2} {fixedScale,10:F2} {fixedScale / dynamic,15:F3}");
                Console.WriteLine($"RESULT int8static.b{batch}.r{round} dynamic_us={dynamic:F3} static_us={fixedScale:F3} ratio={fixedScale / dynamic:F3}");
            }
        }
    }
}
