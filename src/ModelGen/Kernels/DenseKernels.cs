using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace ModelGen.Kernels;

/// <summary>
/// Dense (fully connected) layer kernels: <c>y[b, n] = act(sum_k x[b, k] * W[n, k] + bias[n])</c> with W row-major
/// [n, k] (PyTorch's Linear layout, rows not padded), x [batch, k], y [batch, n], all contiguous. An empty
/// <c>bias</c> means no bias. Spans may be longer than needed; <c>y</c> must not overlap <c>x</c>.
/// Each public entry point dispatches to <see cref="KernelPaths.Best"/> and allocates nothing. Dispatch, checks and
/// kernels are compiled fully optimized on first call, so no call runs slow tier-0 code while tiering catches up.
/// NaN or Infinity in x or W propagates to the affected outputs as IEEE arithmetic does (see
/// <see cref="Int8"/> for its quantized inputs); activations keep NaN.
/// </summary>
public static partial class DenseKernels
{
    /// <summary>Largest k for which an int8 dot product cannot overflow int32: k * 128 * 127 &lt;= int.MaxValue.</summary>
    internal const int Int8MaxK = int.MaxValue / (128 * 127);

    /// <summary>fp32 weights.</summary>
    public static void Float32(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y,
        int batch, int k, int n, Activation activation) =>
        Float32(KernelPaths.Best, x, w, bias, y, batch, k, n, activation);

    /// <summary>fp16 weights (IEEE half bits), fp32 accumulation.</summary>
    public static void Float16(ReadOnlySpan<float> x, ReadOnlySpan<ushort> w, ReadOnlySpan<float> bias, Span<float> y,
        int batch, int k, int n, Activation activation) =>
        Float16(KernelPaths.Best, x, w, bias, y, batch, k, n, activation);

    /// <summary>bf16 weights (upper 16 bits of fp32), fp32 accumulation.</summary>
    public static void BFloat16(ReadOnlySpan<float> x, ReadOnlySpan<ushort> w, ReadOnlySpan<float> bias, Span<float> y,
        int batch, int k, int n, Activation activation) =>
        BFloat16(KernelPaths.Best, x, w, bias, y, batch, k, n, activation);

    /// <summary>
    /// int8 weights with per-output-channel scales; each row of x is quantized symmetrically to int8 into
    /// <paramref name="xq"/> [batch, k] with its scale in <paramref name="xScales"/> [batch]; int32 accumulation;
    /// dequantize, bias and activation fused.
    /// </summary>
    /// <remarks>
    /// Row b of x gets <c>xScales[b] = max|x[b, :]| / 127</c> and <c>xq = round-half-even(x / xScales[b])</c> clamped
    /// to [-127, 127]; then <c>y[b, j] = act(dot(xq[b, :], w[j, :]) * xScales[b] * wScales[j] + bias[j])</c>.
    /// A row that is all zeros (or whose scale underflows to 0) gets scale 0 and outputs <c>act(bias)</c>. A row
    /// holding NaN or ±Infinity gets scale NaN, xq 0, and NaN outputs. Every sbyte weight, -128 included, is exact;
    /// k is limited to <see cref="Int8MaxK"/> (132,104) so the int32 sums cannot overflow.
    /// </remarks>
    public static void Int8(ReadOnlySpan<float> x, ReadOnlySpan<sbyte> w, ReadOnlySpan<float> wScales, ReadOnlySpan<float> bias,
        Span<float> y, int batch, int k, int n, Activation activation, Span<sbyte> xq, Span<float> xScales) =>
        Int8(KernelPaths.Best, x, w, wScales, bias, y, batch, k, n, activation, xq, xScales);

    /// <summary>The public Float32 on <paramref name="path"/>, which must be supported; tests run every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Float32(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        Span<float> y, int batch, int k, int n, Activation activation)
    {
        Validate(path, x, w.Length, bias, y, batch, k, n, activation);
        RunFloat<float, Float32Weights>(path, new FloatDense<float>(x, w, bias, y, batch, k, n, activation));
    }

    /// <summary>The public Float16 on <paramref name="path"/>, which must be supported; tests run every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Float16(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<ushort> w, ReadOnlySpan<float> bias,
        Span<float> y, int batch, int k, int n, Activation activation)
    {
        Validate(path, x, w.Length, bias, y, batch, k, n, activation);
        RunFloat<ushort, Float16Weights>(path, new FloatDense<ushort>(x, w, bias, y, batch, k, n, activation));
    }

    /// <summary>The public BFloat16 on <paramref name="path"/>, which must be supported; tests run every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void BFloat16(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<ushort> w, ReadOnlySpan<float> bias,
        Span<float> y, int batch, int k, int n, Activation activation)
    {
        Validate(path, x, w.Length, bias, y, batch, k, n, activation);
        RunFloat<ushort, BFloat16Weights>(path, new FloatDense<ushort>(x, w, bias, y, batch, k, n, activation));
    }

    /// <summary>The public Int8 on <paramref name="path"/>, which must be supported; tests run every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Int8(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<sbyte> w, ReadOnlySpan<float> wScales,
        ReadOnlySpan<float> bias, Span<float> y, int batch, int k, int n, Activation activation,
        Span<sbyte> xq, Span<float> xScales)
    {
        if (k > Int8MaxK)
            throw new ArgumentOutOfRangeException(nameof(k), k,
                $"int8 kernels accumulate in int32: k must be at most {Int8MaxK}.");
        Validate(path, x, w.Length, bias, y, batch, k, n, activation);
        CheckLength(wScales.Length, n, nameof(wScales), "n");
        CheckLength(xq.Length, (long)batch * k, nameof(xq), "batch * k");
        CheckLength(xScales.Length, batch, nameof(xScales), "batch");

        Int8RowQuantizer.QuantizeRows(path, x, xq, xScales, batch, k);
        RunInt8(path, new Int8Dense(xq, xScales, w, wScales, bias, y, batch, k, n, activation));
    }

    /// <summary>The int8 GEMM over already quantized x, shared by the dynamic and the static int8 kernels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunInt8(KernelPath path, in Int8Dense a)
    {
        switch (path)
        {
            case KernelPath.Avx2: DenseInt8Avx2.Run(in a); break;
            case KernelPath.Vector128: DenseInt8128.Run<PortableInt8Dot128>(in a); break;
            case KernelPath.AdvSimd: DenseInt8128.Run<AdvSimdInt8Dot128>(in a); break;
            case KernelPath.AdvSimdDp: DenseInt8128.Run<AdvSimdDpInt8Dot128>(in a); break;
            default: DenseInt8Scalar.Run(in a); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunFloat<TW, TF>(KernelPath path, in FloatDense<TW> a)
        where TW : unmanaged where TF : struct, IWeightFormat<TW>
    {
        switch (path)
        {
            case KernelPath.Avx2: DenseFloatAvx2.Run<TW, TF>(in a); break;
            case KernelPath.Vector128: DenseFloat128.Run<TW, TF, PortableFma128>(in a); break;
            // SDOT is int8-only: both arm64 paths share the FMLA float kernels.
            case KernelPath.AdvSimd or KernelPath.AdvSimdDp: DenseFloat128.Run<TW, TF, AdvSimdFma128>(in a); break;
            default: DenseFloatScalar.Run<TW, TF>(in a); break;
        }
    }

    /// <summary>Checks everything the kernels rely on before they index with unchecked refs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Validate(KernelPath path, ReadOnlySpan<float> x, int wLength, ReadOnlySpan<float> bias,
        Span<float> y, int batch, int k, int n, Activation activation)
    {
        if (!KernelPaths.IsSupported(path)) ThrowNotSupported(path);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if ((uint)activation > (uint)Activation.Gelu)
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        CheckLength(x.Length, (long)batch * k, nameof(x), "batch * k");
        CheckLength(wLength, (long)n * k, "w", "n * k");
        if (!bias.IsEmpty) CheckLength(bias.Length, n, nameof(bias), "n (or pass an empty span for no bias)");
        CheckLength(y.Length, (long)batch * n, nameof(y), "batch * n");
        if (y.Overlaps(x)) throw new ArgumentException("y must not overlap x.", nameof(y));
    }

    private static void CheckLength(int length, long required, string name, string what)
    {
        if (length < required) ThrowTooShort(length, required, name, what);
    }

    [DoesNotReturn]
    private static void ThrowTooShort(int length, long required, string name, string what) =>
        throw new ArgumentException($"{name} has {length} elements; {what} = {required} are required.", name);

    [DoesNotReturn]
    private static void ThrowNotSupported(KernelPath path) =>
        throw new NotSupportedException($"Kernel path {path} is not supported by this process.");
}
