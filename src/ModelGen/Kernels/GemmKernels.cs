using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelGen.Kernels;

/// <summary>
/// fp32 matrix product <c>C[m, n] = act(A[m, k] B[k, n] + bias[m])</c>, all row-major and contiguous, the bias per row
/// of C. This is a 1x1 convolution on NCHW as it stands: A the weights <c>[out, in]</c>, B the input image
/// <c>[in, h * w]</c>, C the output <c>[out, h * w]</c>; other convolutions reach it through im2col rows
/// (<see cref="ConvKernels"/>). An empty <c>bias</c> means none. Spans may be longer than needed; C must not overlap
/// A, B or the bias. Allocates nothing; dispatches to <see cref="KernelPaths.Best"/>.
/// </summary>
/// <remarks>
/// Every path sums each output in the same order, <c>((0 + a[i,0] b[0,j]) + a[i,1] b[1,j]) + ...</c>, then adds the
/// bias and applies the same scalar activation (the vector ReLU/ReLU6 are bit-equal to it). The SIMD paths fuse each
/// multiply-add where the scalar path rounds the product first, so they differ from it by at most about
/// <c>k * 2^-24 * sum_p |a[i,p] b[p,j]|</c> (tests allow 2 k 2^-24 of that magnitude plus 1e-6 for the float activations).
/// NaN and Infinity propagate as IEEE arithmetic does.
/// </remarks>
public static class GemmKernels
{
    /// <summary><c>c[m, n] = act(a[m, k] * b[k, n] + bias[m])</c>; see <see cref="GemmKernels"/>.</summary>
    public static void Float32(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> bias, Span<float> c,
        int m, int k, int n, Activation activation) =>
        Float32(KernelPaths.Best, a, b, bias, c, m, k, n, activation);

    /// <summary>The public Float32 on <paramref name="path"/>, which must be supported; tests run every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Float32(KernelPath path, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> bias,
        Span<float> c, int m, int k, int n, Activation activation)
    {
        if (!KernelPaths.IsSupported(path))
            throw new NotSupportedException($"Kernel path {path} is not supported by this process.");
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if ((uint)activation > (uint)Activation.Gelu)
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        CheckLength(a.Length, (long)m * k, nameof(a), "m * k");
        CheckLength(b.Length, (long)k * n, nameof(b), "k * n");
        if (!bias.IsEmpty) CheckLength(bias.Length, m, nameof(bias), "m (or pass an empty span for no bias)");
        CheckLength(c.Length, (long)m * n, nameof(c), "m * n");
        Span<float> output = c[..(m * n)];
        if (output.Overlaps(a[..(m * k)]) || output.Overlaps(b[..(k * n)]) || (!bias.IsEmpty && output.Overlaps(bias[..m])))
            throw new ArgumentException("c must not overlap a, b or bias.", nameof(c));
        if (m == 0 || n == 0) return;

        var operands = new GemmOperands(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b),
            bias.IsEmpty ? [] : bias[..m], ref MemoryMarshal.GetReference(c), m, k, n, activation);
        switch (path)
        {
            case KernelPath.Avx2: GemmDriver.Run<GemmTileAvx2>(in operands); break;
            case KernelPath.Vector128: GemmDriver.Run<GemmTile128<PortableFma128>>(in operands); break;
            // SDOT is int8-only: both arm64 paths share the FMLA kernel.
            case KernelPath.AdvSimd or KernelPath.AdvSimdDp: GemmDriver.Run<GemmTile128<AdvSimdFma128>>(in operands); break;
            default: GemmFloatScalar.Run(in operands); break;
        }
    }

    private static void CheckLength(int length, long required, string name, string what)
    {
        if (length < required) ThrowTooShort(length, required, name, what);
    }

    [DoesNotReturn]
    private static void ThrowTooShort(int length, long required, string name, string what) =>
        throw new ArgumentException($"{name} has {length} elements; {what} = {required} are required.", name);
}

/// <summary>Validated GEMM operands as unchecked refs (lengths were checked by <see cref="GemmKernels"/>).</summary>
internal readonly ref struct GemmOperands
{
    public readonly ref float A;
    public readonly ref float B;
    public readonly ref float C;
    public readonly ReadOnlySpan<float> Bias;
    public readonly int M, K, N;
    public readonly Activation Activation;

    public GemmOperands(ref float a, ref float b, ReadOnlySpan<float> bias, ref float c, int m, int k, int n, Activation activation)
    {
        A = ref a; B = ref b; C = ref c; Bias = bias; M = m; K = k; N = n; Activation = activation;
    }

    public float BiasOf(int row) => Bias.IsEmpty ? 0f : Bias[row];
}

/// <summary>Plain loops: the reference every GEMM path is tested against, and the path without hardware intrinsics.</summary>
internal static class GemmFloatScalar
{
    public static void Run(in GemmOperands o)
    {
        nuint n = (nuint)o.N;
        for (int i = 0; i < o.M; i++)
        {
            // Row i of C accumulates a[i, p] * B row p for p in order: each output sums its k terms from p = 0 up.
            ref float c = ref Unsafe.Add(ref o.C, (nuint)i * n);
            for (nuint j = 0; j < n; j++) Unsafe.Add(ref c, j) = 0f;
            ref float a = ref Unsafe.Add(ref o.A, (nuint)i * (nuint)o.K);
            for (int p = 0; p < o.K; p++)
            {
                float ap = Unsafe.Add(ref a, p);
                ref float b = ref Unsafe.Add(ref o.B, (nuint)p * n);
                for (nuint j = 0; j < n; j++)
                    Unsafe.Add(ref c, j) += ap * Unsafe.Add(ref b, j);
            }
            float bias = o.BiasOf(i);
            for (nuint j = 0; j < n; j++)
                Unsafe.Add(ref c, j) = ActivationFunctions.Apply(Unsafe.Add(ref c, j) + bias, o.Activation);
        }
    }
}
