namespace ModelGen.Kernels;

/// <summary>
/// Dense (fully connected) layer kernels: <c>y[b, n] = act(sum_k x[b, k] * W[n, k] + bias[n])</c> with W row-major
/// [n, k] (PyTorch's Linear layout), x [batch, k], y [batch, n]. An empty <c>bias</c> means no bias.
/// Each public entry point dispatches to the best path of this machine.
/// </summary>
public static class DenseKernels
{
    /// <summary>fp32 weights.</summary>
    public static void Float32(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y,
        int batch, int k, int n, Activation activation) => throw new NotImplementedException();

    /// <summary>fp16 weights (IEEE half bits), fp32 accumulation.</summary>
    public static void Float16(ReadOnlySpan<float> x, ReadOnlySpan<ushort> w, ReadOnlySpan<float> bias, Span<float> y,
        int batch, int k, int n, Activation activation) => throw new NotImplementedException();

    /// <summary>bf16 weights (upper 16 bits of fp32), fp32 accumulation.</summary>
    public static void BFloat16(ReadOnlySpan<float> x, ReadOnlySpan<ushort> w, ReadOnlySpan<float> bias, Span<float> y,
        int batch, int k, int n, Activation activation) => throw new NotImplementedException();

    /// <summary>
    /// int8 weights with per-output-channel scales; each row of x is quantized symmetrically to int8 into
    /// <paramref name="xq"/> [batch, k] with its scale in <paramref name="xScales"/> [batch]; int32 accumulation;
    /// dequantize, bias and activation fused.
    /// </summary>
    public static void Int8(ReadOnlySpan<float> x, ReadOnlySpan<sbyte> w, ReadOnlySpan<float> wScales, ReadOnlySpan<float> bias,
        Span<float> y, int batch, int k, int n, Activation activation, Span<sbyte> xq, Span<float> xScales) =>
        throw new NotImplementedException();
}
