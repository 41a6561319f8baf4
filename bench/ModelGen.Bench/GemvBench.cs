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

    /// <summary>Group size <paramref name="groupSize"/> (symmetric) int4 GEMV; otherwise as <see cref="Int4(bool)"/>.</summary>
    public static (double KernelUs, double StreamUs) Int4(bool quick, int groupSize) =>
        Measure(Size * Size / 2 + Size * (Size / groupSize) * sizeof(ushort), quick, (block, x, y, scratch) =>
            DenseKernels.Int4(x, block.AsSpan<byte>(0, Size * Size / 2), block.AsSpan<ushort>(Size * Size / 2, Size * (Size / groupSize)),
                default, default, y, 1, Size, Size, groupSize, Activation.None, scratch.AsSpan<sbyte>(0, Size), scratch.AsSpan<float>(Size, Size / groupSize)));

    /// <summary>int8 and int4 (every group size) GEMVs in alternating rounds, printing each round and the int8/int4 ratios.</summary>
    public static void Int4Rounds(bool quick)
    {
        for (int round = 0; round < 3; round++)
        {
            var (i8, _) = Int8(quick);
            Console.Write($"round {round}: int8 {i8:F1} us");
            foreach (int g in new[] { 32, 64, 128 })
            {
                var (i4, s4) = Int4(quick, g);
                Console.Write($" | int4 g{g} {i4:F1} us (stream {s4:F1}) x{i8 / i4:F2}");
            }
            Console.WriteLine();
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
