using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
