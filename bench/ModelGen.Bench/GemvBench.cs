using ModelGen.Kernels;

namespace ModelGen.Bench;

/// <summary>
/// 4096 x 4096 matrix-vector products from main memory (working set > the 32 MiB L3 of the reference machine), against
/// a streaming read of the same bytes: the fraction tells how close the kernel gets to the memory bandwidth.
/// </summary>
public static class GemvBench
{
    private const int Size = 4096;
    private const int WorkingSetBytes = 64 << 20;

    /// <summary>Returns (kernel microseconds, streaming-read microseconds) per product.</summary>
    public static (double KernelUs, double StreamUs) Float32(bool quick) =>
        Measure(Size * Size * sizeof(float), quick, (block, x, y, scratch) =>
            DenseKernels.Float32(x, block.AsSpan<float>(0, Size * Size), default, y, 1, Size, Size, Activation.None));

    /// <summary>Returns (kernel microseconds, streaming-read microseconds) per product.</summary>
    public static (double KernelUs, double StreamUs) Int8(bool quick) =>
        Measure(Size * Size + Size * sizeof(float), quick, (block, x, y, scratch) =>
            DenseKernels.Int8(x, block.AsSpan<sbyte>(0, Size * Size), block.AsSpan<float>(Size * Size, Size), default, y,
                1, Size, Size, Activation.None, scratch.AsSpan<sbyte>(0, Size), scratch.AsSpan<float>(Size, 1)));

    /// <summary>
    /// int4 weights (symmetric, group size 32: llama.cpp's Q4_0 block) through <see cref="DenseKernels.Int4"/>; the
    /// matrix bytes are the packed nibbles plus the fp16 scales. Returns (kernel, streaming-read) microseconds.
    /// </summary>
    public static (double KernelUs, double StreamUs) Int4(bool quick) =>
        Measure(Size * Size / 2 + Size * (Size / 32) * sizeof(ushort), quick, (block, x, y, scratch) =>
            DenseKernels.Int4(x, block.AsSpan<byte>(0, Size * Size / 2), block.AsSpan<ushort>(Size * Size / 2, Size * (Size / 32)),
                default, default, y, 1, Size, Size, 32, Activation.None, scratch.AsSpan<sbyte>(0, Size), scratch.AsSpan<float>(Size, Size / 32)));

    /// <summary>
    /// The int8 GEMV and the symmetric int4 one at <paramref name="groupSize"/>, from memory, timed in alternating
    /// rounds (<see cref="Timing.AlternatingMedians"/>): microseconds per product of each.
    /// </summary>
    public static (double Int8Us, double Int4Us) Int4AgainstInt8(bool quick, int groupSize)
    {
        var random = new Random(42);
        float[] x = new float[Size];
        for (int i = 0; i < Size; i++) x[i] = (float)(random.NextDouble() - 0.5);
        var y = new float[Size];
        var xq = new sbyte[Size];
        var xScales = new float[Size / 32];
        double int8Bytes = (double)Size * Size + 4.0 * Size, int4Bytes = Size * (Size / 2.0) + 2.0 * Size * (Size / groupSize);
        return Timing.AlternatingMedians(fromMemory: true, quick, int8Bytes, () =>
        {
            var w = new sbyte[Size * Size];
            random.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(w.AsSpan()));
            var scales = new float[Size];
            Array.Fill(scales, 1f / 127);
            return () => DenseKernels.Int8(x, w, scales, default, y, 1, Size, Size, Activation.None, xq, xScales.AsSpan(0, 1));
        }, int4Bytes, () =>
        {
            var w = new byte[Size * Size / 2];
            random.NextBytes(w);
            var scales = new ushort[Size * (Size / groupSize)];
            Array.Fill(scales, BitConverter.HalfToUInt16Bits((Half)(1f / 7)));
            return () => DenseKernels.Int4(x, w, scales, default, default, y, 1, Size, Size, groupSize, Activation.None,
                xq, xScales.AsSpan(0, Size / groupSize));
        });
    }

    /// <summary>The int4 GEMV at every group size against the int8 one, each pair in alternating rounds.</summary>
    public static void Int4Rounds(bool quick)
    {
        foreach (int g in new[] { 32, 64, 128 })
        {
            var (i8, i4) = Int4AgainstInt8(quick, g);
            Console.WriteLine($"int4 g{g} {i4:F1} us, int8 {i8:F1} us (alternating rounds): int4 {i8 / i4:F2}x the speed of int8");
        }
    }

    /// <summary>The same int4 GEMV dequantizing W to fp32 in registers (<see cref="Int4DequantGemv"/>), for comparison.</summary>
    public static (double KernelUs, double StreamUs) Int4DequantizeToFloat(bool quick) =>
        Measure(Size * Size / 2 + Size * (Size / 32) * sizeof(ushort), quick, (block, x, y, scratch) =>
            Int4DequantGemv.Run(x, block.AsSpan<byte>(0, Size * Size / 2), block.AsSpan<ushort>(Size * Size / 2, Size * (Size / 32)),
                y, Size, Size));

    private delegate void Product(NativeBlock matrix, float[] x, float[] y, NativeBlock scratch);

    // Enough copies of the matrix to exceed the caches; each call uses the next copy.
    private static (double, double) Measure(int matrixBytes, bool quick, Product product)
    {
        int copies = Math.Max(1, WorkingSetBytes / matrixBytes);
        var matrices = new NativeBlock[copies];
        var random = new Random(42);
        for (int c = 0; c < copies; c++)
        {
            matrices[c] = new NativeBlock(matrixBytes);
            random.NextBytes(matrices[c].AsBytes());
            // Keep the float views finite: small values with a fixed exponent.
            var floats = matrices[c].AsSpan<uint>(0, matrixBytes / 4);
            for (int i = 0; i < floats.Length; i++)
            {
                floats[i] = (floats[i] & 0x807FFFFF) | 0x3C000000;
            }
        }

        var x = new float[Size];
        var y = new float[Size];
        for (int i = 0; i < Size; i++)
        {
            x[i] = (float)(random.NextDouble() - 0.5);
        }

        using var scratch = new NativeBlock(2 * Size * sizeof(float));
        int next = 0;
        double kernel = Timing.MedianMicroseconds(() => product(matrices[next++ % copies], x, y, scratch), quick, 200);
        int sink = 0;
        double stream = Timing.MedianMicroseconds(() => sink += StreamingRead.Sum(matrices[next++ % copies].AsBytes()[..matrixBytes]), quick, 200);
        GC.KeepAlive(sink);
        foreach (var m in matrices)
        {
            m.Dispose();
        }

        return (kernel, stream);
    }
}
