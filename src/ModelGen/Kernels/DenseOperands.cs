using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ModelGen.Numerics;

namespace ModelGen.Kernels;

/// <summary>
/// The validated operands of one float-accumulating dense call as refs to the spans' first elements; kernels index
/// them with <see cref="Unsafe"/> arithmetic after <see cref="DenseKernels"/> has checked every length.
/// </summary>
internal readonly ref struct FloatDense<TW> where TW : unmanaged
{
    public readonly ref float X;
    public readonly ref TW W;
    public readonly ref float Bias;
    public readonly ref float Y;
    public readonly int Batch, K, N;
    public readonly bool HasBias;
    public readonly Activation Activation;

    public FloatDense(ReadOnlySpan<float> x, ReadOnlySpan<TW> w, ReadOnlySpan<float> bias, Span<float> y,
        int batch, int k, int n, Activation activation)
    {
        X = ref MemoryMarshal.GetReference(x);
        W = ref MemoryMarshal.GetReference(w);
        Bias = ref MemoryMarshal.GetReference(bias);
        Y = ref MemoryMarshal.GetReference(y);
        Batch = batch;
        K = k;
        N = n;
        HasBias = !bias.IsEmpty;
        Activation = activation;
    }

    public ref float XRow(int b) => ref Unsafe.Add(ref X, (nint)b * K);

    public ref TW WRow(int j) => ref Unsafe.Add(ref W, (nint)j * K);

    /// <summary>Adds the bias, applies the activation and writes y[b, j].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(int b, int j, float sum)
    {
        if (HasBias) sum += Unsafe.Add(ref Bias, j);
        Unsafe.Add(ref Y, (nint)b * N + j) = ActivationFunctions.Apply(sum, Activation);
    }
}

/// <summary>
/// The validated operands of one int8 dense call, x already quantized: per row (<see cref="Int8RowQuantizer"/>, one
/// scale per row) or with one fixed scale for every row (<see cref="Int8StaticQuantizer"/>, scale stride 0).
/// </summary>
internal readonly ref struct Int8Dense
{
    public readonly ref sbyte Xq;
    public readonly ref float XScales;
    /// <summary>1 when <see cref="XScales"/> holds one scale per row, 0 when every row shares the first.</summary>
    public readonly nint XScaleStride;
    public readonly ref sbyte W;
    public readonly ref float WScales;
    public readonly ref float Bias;
    public readonly ref float Y;
    public readonly int Batch, K, N;
    public readonly bool HasBias;
    public readonly Activation Activation;

    /// <summary>Per-row scales: <paramref name="xScales"/> [batch].</summary>
    public Int8Dense(Span<sbyte> xq, Span<float> xScales, ReadOnlySpan<sbyte> w, ReadOnlySpan<float> wScales,
        ReadOnlySpan<float> bias, Span<float> y, int batch, int k, int n, Activation activation)
        : this(xq, ref MemoryMarshal.GetReference(xScales), 1, w, wScales, bias, y, batch, k, n, activation)
    {
    }

    /// <summary>Scales at <paramref name="xScales"/> with a stride of 1 (per row) or 0 (one scale for all rows).</summary>
    public Int8Dense(Span<sbyte> xq, ref float xScales, nint xScaleStride, ReadOnlySpan<sbyte> w, ReadOnlySpan<float> wScales,
        ReadOnlySpan<float> bias, Span<float> y, int batch, int k, int n, Activation activation)
    {
        Xq = ref MemoryMarshal.GetReference(xq);
        XScales = ref xScales;
        XScaleStride = xScaleStride;
        W = ref MemoryMarshal.GetReference(w);
        WScales = ref MemoryMarshal.GetReference(wScales);
        Bias = ref MemoryMarshal.GetReference(bias);
        Y = ref MemoryMarshal.GetReference(y);
        Batch = batch;
        K = k;
        N = n;
        HasBias = !bias.IsEmpty;
        Activation = activation;
    }

    public ref sbyte XRow(int b) => ref Unsafe.Add(ref Xq, (nint)b * K);

    public ref sbyte WRow(int j) => ref Unsafe.Add(ref W, (nint)j * K);

    /// <summary>The scale of x row b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float XScale(int b) => Unsafe.Add(ref XScales, b * XScaleStride);

    /// <summary>Dequantizes the int32 dot product of x row b and W row j, adds the bias, activates, writes y[b, j].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(int b, int j, int dot)
    {
        // One expression, evaluated the same way by every path, so equal int dots give bit-equal outputs.
        float sum = dot * XScale(b) * Unsafe.Add(ref WScales, j);
        if (HasBias) sum += Unsafe.Add(ref Bias, j);
        Unsafe.Add(ref Y, (nint)b * N + j) = ActivationFunctions.Apply(sum, Activation);
    }

    public ref float YAt(int b, int j) => ref Unsafe.Add(ref Y, (nint)b * N + j);
}

/// <summary>
/// The validated operands of one int4 dense call, x already quantized per block (see
/// <see cref="DenseKernels.Int4(ReadOnlySpan{float}, ReadOnlySpan{byte}, ReadOnlySpan{ushort}, ReadOnlySpan{ushort}, ReadOnlySpan{float}, Span{float}, int, int, int, int, Activation, Span{sbyte}, Span{float})"/>
/// for the arithmetic every path follows).
/// </summary>
internal readonly ref struct Int4Dense
{
    /// <summary>Float partial sums per output: block g adds into slot g % 8.</summary>
    public const int Slots = 8;

    public readonly ref sbyte Xq;
    public readonly ref float XScales;
    public readonly ref byte W;
    public readonly ref ushort Scales;
    public readonly ref ushort Mins;
    public readonly ref float Bias;
    public readonly ref float Y;
    public readonly int Batch, K, N, GroupSize, Blocks;
    public readonly bool HasBias, Asymmetric;
    public readonly Activation Activation;

    public Int4Dense(Span<sbyte> xq, Span<float> xScales, ReadOnlySpan<byte> w, ReadOnlySpan<ushort> scales,
        ReadOnlySpan<ushort> mins, ReadOnlySpan<float> bias, Span<float> y, int batch, int k, int n, int groupSize,
        Activation activation)
    {
        Xq = ref MemoryMarshal.GetReference(xq);
        XScales = ref MemoryMarshal.GetReference(xScales);
        W = ref MemoryMarshal.GetReference(w);
        Scales = ref MemoryMarshal.GetReference(scales);
        Mins = ref MemoryMarshal.GetReference(mins);
        Bias = ref MemoryMarshal.GetReference(bias);
        Y = ref MemoryMarshal.GetReference(y);
        Batch = batch;
        K = k;
        N = n;
        GroupSize = groupSize;
        Blocks = groupSize == 0 ? 0 : k / groupSize;
        HasBias = !bias.IsEmpty;
        Asymmetric = !mins.IsEmpty;
        Activation = activation;
    }

    public ref sbyte XRow(int b) => ref Unsafe.Add(ref Xq, (nint)b * K);

    public ref float XScaleRow(int b) => ref Unsafe.Add(ref XScales, (nint)b * Blocks);

    public ref byte WRow(int j) => ref Unsafe.Add(ref W, (nint)j * (K / 2));

    public ref ushort ScaleRow(int j) => ref Unsafe.Add(ref Scales, (nint)j * Blocks);

    public ref ushort MinRow(int j) => ref Unsafe.Add(ref Mins, (nint)j * Blocks);

    /// <summary>
    /// Block g's contribution to y[b, j] from its exact integer sums: <c>dot = sum xq * nibble</c> and
    /// <c>xSum = sum xq</c>. Symmetric: <c>(float)(dot - 8 xSum) * (xScale * scale)</c>; asymmetric:
    /// <c>(float)dot * (xScale * scale) + (float)xSum * (xScale * min)</c>. Separate roundings, no fused multiply-add,
    /// so SIMD lanes doing the same operations give the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float BlockValue(int b, int j, int g, int dot, int xSum)
    {
        float xScale = Unsafe.Add(ref XScaleRow(b), g);
        float s = xScale * HalfConversion.ToSingle(Unsafe.Add(ref ScaleRow(j), g));
        if (!Asymmetric)
            return (dot - Quantization.Int4Quantizer.SymmetricOffset * xSum) * s;
        float m = xScale * HalfConversion.ToSingle(Unsafe.Add(ref MinRow(j), g));
        return dot * s + xSum * m;
    }

    /// <summary>
    /// Adds the 8 slots as a pairwise tree, <c>((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))</c>, the one order
    /// every path uses; adds the bias, activates and writes y[b, j]. The slots come as <paramref name="evens"/> =
    /// s0, s2, s4, s6 and <paramref name="odds"/> = s1, s3, s5, s7: the lane order of the AVX2 block reduction, whose
    /// first step (evens + odds) is then one vector add.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(int b, int j, Vector128<float> evens, Vector128<float> odds)
    {
        Vector128<float> t = evens + odds;
        StoreSum(b, j, (t.GetElement(0) + t.GetElement(1)) + (t.GetElement(2) + t.GetElement(3)));
    }

    /// <summary><see cref="Store(int, int, Vector128{float}, Vector128{float})"/> for slots in order (s0 .. s7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(int b, int j, ReadOnlySpan<float> slots) =>
        StoreSum(b, j, ((slots[0] + slots[1]) + (slots[2] + slots[3])) + ((slots[4] + slots[5]) + (slots[6] + slots[7])));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StoreSum(int b, int j, float sum)
    {
        if (HasBias) sum += Unsafe.Add(ref Bias, j);
        Unsafe.Add(ref Y, (nint)b * N + j) = ActivationFunctions.Apply(sum, Activation);
    }
}
