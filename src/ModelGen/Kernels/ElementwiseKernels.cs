using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>Element-wise kernels (residual connections). Allocates nothing.</summary>
public static class ElementwiseKernels
{
    /// <summary>
    /// <c>y[i] = act(a[i] + b[i])</c> for every i below <c>a.Length</c> (b must be as long): a residual connection.
    /// <paramref name="y"/> may be <paramref name="a"/> or <paramref name="b"/> itself (in place); any other overlap is
    /// rejected. Every path computes the same IEEE sums and the same activations, so all paths agree bit for bit.
    /// </summary>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, Activation activation) =>
        Add(KernelPaths.Best, a, b, y, activation);

    /// <summary>The public Add on <paramref name="path"/>, which must be supported; tests run every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Add(KernelPath path, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, Activation activation)
    {
        if (!KernelPaths.IsSupported(path))
            throw new NotSupportedException($"Kernel path {path} is not supported by this process.");
        if ((uint)activation > (uint)Activation.Gelu)
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        if (b.Length != a.Length)
            throw new ArgumentException($"b has {b.Length} elements; a has {a.Length}: they must match.", nameof(b));
        if (y.Length < a.Length)
            throw new ArgumentException($"y has {y.Length} elements; a.Length = {a.Length} are required.", nameof(y));
        if ((y.Overlaps(a, out int offsetA) && offsetA != 0) || (y.Overlaps(b, out int offsetB) && offsetB != 0))
            throw new ArgumentException("y must be a or b itself, or not overlap them.", nameof(y));

        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float ry = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)a.Length, i = 0;
        // Vector lanes reproduce the scalar activation exactly only for the piecewise-linear ones.
        bool linear = activation is Activation.None or Activation.Relu or Activation.Relu6;
        if (linear && path == KernelPath.Avx2)
        {
            for (; i + 8 <= n; i += 8)
                ActivationFunctions.Apply(Vector256.LoadUnsafe(ref ra, i) + Vector256.LoadUnsafe(ref rb, i), activation)
                    .StoreUnsafe(ref ry, i);
        }
        else if (linear && path != KernelPath.Scalar)
        {
            for (; i + 4 <= n; i += 4)
                ActivationFunctions.Apply(Vector128.LoadUnsafe(ref ra, i) + Vector128.LoadUnsafe(ref rb, i), activation)
                    .StoreUnsafe(ref ry, i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref ry, i) = ActivationFunctions.Apply(Unsafe.Add(ref ra, i) + Unsafe.Add(ref rb, i), activation);
    }
}
