using ModelGen.Kernels;
using ModelGen.Quantization;

namespace ModelGen.Bench;

/// <summary>
/// int4 kernels on the Fashion-MNIST MLP's cache-resident layer shapes (784 -> 256 padded to whole groups, 256 -> 10)
/// at batch 1 and 64, each against <see cref="DenseKernels.Int8"/> on the same shape in the same run, and the
/// 4096 x 4096 GEMV from memory against the int8 one: `bench/run int4-small [quick]`.
/// </summary>
public static class Int4SmallBench
{
    public static void Run(bool quick)
    {
        Console.WriteLine($"int4 on small layers, kernel path {KernelPaths.Best}, one thread (ratio = int8 us / int4 us, same run)");
        Console.WriteLine($"{"shape",-34} {"int4 us",10} {"int8 us",10} {"int8/int4",10}");
        foreach (int batch in new[] { 1, 64 })
            foreach (int gs in new[] { 32, 64, 128 })
                foreach (bool asymmetric in new[] { false, true })
                {
                    double i4 = 0, i8 = 0;
                    foreach (var (kIn, n) in new[] { (784, 256), (256, 10) })
                    {
                        var (u4, u8) = Layer(batch, kIn, n, gs, asymmetric, quick);
                        string name = $"b{batch} {kIn}->{n} g{gs} {(asymmetric ? "asym" : "sym")}";
                        Console.WriteLine($"{name,-34} {u4,10:F2} {u8,10:F2} {u8 / u4,9:F2}x");
                        i4 += u4;
                        i8 += u8;
                    }
                    Console.WriteLine($"RESULT int4small.b{batch}.g{gs}.{(asymmetric ? "asym" : "sym")} int4_us={i4:F2} int8_us={i8:F2} int8_over_int4={i8 / i4:F3}");
                }
        var (i8Us, i4Us) = GemvBench.Int4AgainstInt8(quick, 32);
        Console.WriteLine($"RESULT gemv4096.int4_vs_int8 int4_us={i4Us:F1} int8_us={i8Us:F1} speedup={i8Us / i4Us:F3}");
    }

    /// <summary>One layer: int4 (k padded to whole groups, as the generated code does) and int8 on x >= 0 (pixels, ReLU outputs).</summary>
    private static (double Int4Us, double Int8Us) Layer(int batch, int kIn, int n, int gs, bool asymmetric, bool quick)
    {
        var random = new Random(kIn + n + gs);
        int k = (kIn + gs - 1) / gs * gs;
        float[] x = new float[batch * k], x8 = new float[batch * kIn], w = new float[n * k], y = new float[batch * n];
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < kIn; i++)
                x[b * k + i] = x8[b * kIn + i] = (float)random.NextDouble();
        for (int j = 0; j < n; j++)
            for (int i = 0; i < kIn; i++)
                w[j * k + i] = (float)(random.NextDouble() - 0.5);
        byte[] packed = new byte[n * k / 2];
        ushort[] scales = new ushort[n * k / gs], mins = asymmetric ? new ushort[n * k / gs] : [];
        Int4Quantizer.Quantize(w, n, k, gs, asymmetric, packed, scales, mins);
        float[] bias = new float[n], xScales = new float[batch * k / gs];
        sbyte[] xq = new sbyte[batch * k];
        double i4 = Timing.MedianMicroseconds(() => DenseKernels.Int4(x, packed, scales, mins, bias, y, batch, k, n, gs,
            Activation.Relu, xq, xScales), quick, 20);

        sbyte[] w8 = new sbyte[n * kIn], xq8 = new sbyte[batch * kIn];
        float[] wScales = new float[n], xScales8 = new float[batch];
        for (int i = 0; i < w8.Length; i++) w8[i] = (sbyte)random.Next(-127, 128);
        wScales.AsSpan().Fill(0.01f);
        double i8 = Timing.MedianMicroseconds(() => DenseKernels.Int8(x8, w8, wScales, bias, y, batch, kIn, n,
            Activation.Relu, xq8, xScales8), quick, 20);
        return (i4, i8);
    }
}
