using System.Runtime.CompilerServices;

namespace ModelGen.Kernels;

/// <summary>
/// Dense layers over pruned weights, packed by <see cref="Quantization.MagnitudePruner"/>: unstructured (fp32:
/// values + uint16 column indices; int8: values + row bitmasks) and 2:4 (fp32: 8-row slices; int8: row-major); the
/// layouts and their sizes are in <see cref="SparseLayout"/>.
/// </summary>
/// <remarks>
/// Semantics: <c>y[b, j] = act(sum over kept columns c of x[b, c] * w[j, c] + bias[j])</c>. Pruned weights do not
/// exist: a NaN or Infinity in x at a pruned column does not reach y (the dense kernel on the expanded matrix would
/// give 0 * Inf = NaN there); with finite x the result equals the dense kernel's on the expanded matrix up to float
/// summation order. A malformed unstructured structure (an fp32 column index at or past k; an int8 mask row not
/// marking exactly keptPerRow columns below k) is found while the row is decoded and throws
/// <see cref="ArgumentException"/>; earlier outputs may be written by then. Every read stays inside the spans
/// whatever the structure holds. 2:4 nibbles are not checked: any positions give the sum of both products.
/// </remarks>
public static partial class DenseKernels
{
    /// <summary>
    /// fp32 weights pruned unstructured: <paramref name="values"/> [n, keptPerRow], <paramref name="structure"/> their
    /// column indices as little-endian uint16 [n, keptPerRow] (k at most <see cref="SparseLayout.MaxIndexedK"/>).
    /// </summary>
    public static void SparseFloat32(ReadOnlySpan<float> x, ReadOnlySpan<float> values, ReadOnlySpan<byte> structure,
        ReadOnlySpan<float> bias, Span<float> y, int batch, int k, int n, int keptPerRow, Activation activation) =>
        SparseFloat32(KernelPaths.Best, x, values, structure, bias, y, batch, k, n, keptPerRow, activation);

    /// <summary>
    /// int8 weights pruned unstructured: <paramref name="values"/> [n, keptPerRow] with per-row
    /// <paramref name="wScales"/>, <paramref name="structure"/> the row bitmasks [n, ceil(k / 8)] (see <see cref="SparseLayout"/>);
    /// x quantized per row into <paramref name="xq"/> / <paramref name="xScales"/> exactly as <see cref="Int8(ReadOnlySpan{float}, ReadOnlySpan{sbyte}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, Activation, Span{sbyte}, Span{float})"/> does.
    /// </summary>
    public static void SparseInt8(ReadOnlySpan<float> x, ReadOnlySpan<sbyte> values, ReadOnlySpan<byte> structure,
        ReadOnlySpan<float> wScales, ReadOnlySpan<float> bias, Span<float> y, int batch, int k, int n, int keptPerRow,
        Activation activation, Span<sbyte> xq, Span<float> xScales) =>
        SparseInt8(KernelPaths.Best, x, values, structure, wScales, bias, y, batch, k, n, keptPerRow, activation, xq, xScales);

    /// <summary>
    /// fp32 weights pruned 2:4: <paramref name="values"/> (n 2 ceil(k / 4)) and <paramref name="meta"/> (a nibble per
    /// group, n ceil(ceil(k / 4) / 2) bytes) in the fp32 layout of <see cref="SparseLayout"/> (8-row slices).
    /// </summary>
    public static void TwoOfFourFloat32(ReadOnlySpan<float> x, ReadOnlySpan<float> values, ReadOnlySpan<byte> meta,
        ReadOnlySpan<float> bias, Span<float> y, int batch, int k, int n, Activation activation) =>
        TwoOfFourFloat32(KernelPaths.Best, x, values, meta, bias, y, batch, k, n, activation);

    /// <summary>
    /// int8 weights pruned 2:4 in the int8 layout of <see cref="SparseLayout"/> (row-major) with per-row
    /// <paramref name="wScales"/>; x quantized as by <c>Int8</c>.
    /// </summary>
    public static void TwoOfFourInt8(ReadOnlySpan<float> x, ReadOnlySpan<sbyte> values, ReadOnlySpan<byte> meta,
        ReadOnlySpan<float> wScales, ReadOnlySpan<float> bias, Span<float> y, int batch, int k, int n, Activation activation,
        Span<sbyte> xq, Span<float> xScales) =>
        TwoOfFourInt8(KernelPaths.Best, x, values, meta, wScales, bias, y, batch, k, n, activation, xq, xScales);

    /// <summary>The public SparseFloat32 on <paramref name="path"/>, which must be supported; tests run every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SparseFloat32(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<float> values,
        ReadOnlySpan<byte> structure, ReadOnlySpan<float> bias, Span<float> y, int batch, int k, int n, int keptPerRow,
        Activation activation)
    {
        ValidateSparse(path, x, bias, y, batch, k, n, activation);
        ValidateUnstructured(values.Length, structure.Length, k, n, keptPerRow, int8Values: false);
        var a = new SparseDense<float, float>(x, default, values, structure, default, bias, y, batch, k, n, keptPerRow,
            2 * keptPerRow, activation);
        switch (path)
        {
            case KernelPath.Avx2: SparseFloatAvx2.Unstructured(in a); break;
            case KernelPath.Vector128: SparseFloat128.Unstructured<PortableFma128>(in a); break;
            case KernelPath.AdvSimd or KernelPath.AdvSimdDp: SparseFloat128.Unstructured<AdvSimdFma128>(in a); break;
            default: SparseScalar.UnstructuredFloat(in a); break;
        }
    }

    /// <summary>The public SparseInt8 on <paramref name="path"/>, which must be supported; tests run every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SparseInt8(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<sbyte> values,
        ReadOnlySpan<byte> structure, ReadOnlySpan<float> wScales, ReadOnlySpan<float> bias, Span<float> y, int batch,
        int k, int n, int keptPerRow, Activation activation, Span<sbyte> xq, Span<float> xScales)
    {
        ValidateSparse(path, x, bias, y, batch, k, n, activation);
        ValidateUnstructured(values.Length, structure.Length, k, n, keptPerRow, int8Values: true);
        ValidateInt8Scratch(wScales, batch, k, n, xq, xScales);
        Int8RowQuantizer.QuantizeRows(path, x, xq, xScales, batch, k);
        var a = new SparseDense<sbyte, sbyte>(xq, xScales, values, structure, wScales, bias, y, batch, k, n, keptPerRow,
            SparseLayout.MaskBytesPerRow(k), activation);
        switch (path)
        {
            case KernelPath.Avx2: SparseInt8128.Unstructured<Ssse3Int8Dot128>(in a); break;
            case KernelPath.Vector128: SparseInt8128.Unstructured<PortableInt8Dot128>(in a); break;
            case KernelPath.AdvSimd: SparseInt8128.Unstructured<AdvSimdInt8Dot128>(in a); break;
            case KernelPath.AdvSimdDp: SparseInt8128.Unstructured<AdvSimdDpInt8Dot128>(in a); break;
            default: SparseScalar.UnstructuredInt8(in a); break;
        }
    }

    /// <summary>The public TwoOfFourFloat32 on <paramref name="path"/>, which must be supported; tests run every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void TwoOfFourFloat32(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<float> values,
        ReadOnlySpan<byte> meta, ReadOnlySpan<float> bias, Span<float> y, int batch, int k, int n, Activation activation)
    {
        ValidateSparse(path, x, bias, y, batch, k, n, activation);
        ValidateTwoOfFour(values.Length, meta.Length, k, n);
        var a = new SparseDense<float, float>(x, default, values, meta, default, bias, y, batch, k, n,
            SparseLayout.ValuesPerRow24(k), SparseLayout.MetaBytesPerRow(k), activation);
        switch (path)
        {
            case KernelPath.Avx2: SparseFloatAvx2.TwoOfFour(in a); break;
            case KernelPath.Vector128: SparseFloat128.TwoOfFour<PortableFma128>(in a); break;
            case KernelPath.AdvSimd or KernelPath.AdvSimdDp: SparseFloat128.TwoOfFour<AdvSimdFma128>(in a); break;
            default: SparseScalar.TwoOfFourFloat(in a); break;
        }
    }

    /// <summary>The public TwoOfFourInt8 on <paramref name="path"/>, which must be supported; tests run every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void TwoOfFourInt8(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<sbyte> values,
        ReadOnlySpan<byte> meta, ReadOnlySpan<float> wScales, ReadOnlySpan<float> bias, Span<float> y, int batch, int k,
        int n, Activation activation, Span<sbyte> xq, Span<float> xScales)
    {
        ValidateSparse(path, x, bias, y, batch, k, n, activation);
        ValidateTwoOfFour(values.Length, meta.Length, k, n);
        ValidateInt8Scratch(wScales, batch, k, n, xq, xScales);
        Int8RowQuantizer.QuantizeRows(path, x, xq, xScales, batch, k);
        var a = new SparseDense<sbyte, sbyte>(xq, xScales, values, meta, wScales, bias, y, batch, k, n,
            SparseLayout.ValuesPerRow24(k), SparseLayout.MetaBytesPerRow(k), activation);
        switch (path)
        {
            case KernelPath.Avx2: SparseInt8Avx2.TwoOfFour(in a); break;
            case KernelPath.Vector128: SparseInt8128.TwoOfFour<PortableInt8Dot128>(in a); break;
            case KernelPath.AdvSimd: SparseInt8128.TwoOfFour<AdvSimdInt8Dot128>(in a); break;
            case KernelPath.AdvSimdDp: SparseInt8128.TwoOfFour<AdvSimdDpInt8Dot128>(in a); break;
            default: SparseScalar.TwoOfFourInt8(in a); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ValidateSparse(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y,
        int batch, int k, int n, Activation activation)
    {
        if (!KernelPaths.IsSupported(path)) ThrowNotSupported(path);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if ((uint)activation > (uint)Activation.Gelu)
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        CheckLength(x.Length, (long)batch * k, nameof(x), "batch * k");
        if (!bias.IsEmpty) CheckLength(bias.Length, n, nameof(bias), "n (or pass an empty span for no bias)");
        CheckLength(y.Length, (long)batch * n, nameof(y), "batch * n");
        if (y.Overlaps(x)) throw new ArgumentException("y must not overlap x.", nameof(y));
    }

    private static void ValidateUnstructured(int valuesLength, int structureLength, int k, int n, int keptPerRow, bool int8Values)
    {
        SparseLayout.CheckUnstructured(n, k, keptPerRow);
        CheckLength(valuesLength, SparseLayout.UnstructuredValueCount(n, k, keptPerRow), "values", "n * keptPerRow");
        CheckLength(structureLength, SparseLayout.UnstructuredStructureBytes(n, k, keptPerRow, int8Values), "structure",
            int8Values ? "n * ceil(k / 8)" : "2 * n * keptPerRow");
    }

    private static void ValidateTwoOfFour(int valuesLength, int metaLength, int k, int n)
    {
        CheckLength(valuesLength, SparseLayout.TwoOfFourValueCount(n, k), "values", "n * 2 * ceil(k / 4)");
        CheckLength(metaLength, SparseLayout.TwoOfFourMetaBytes(n, k), "meta", "n * ceil(ceil(k / 4) / 2)");
    }

    private static void ValidateInt8Scratch(ReadOnlySpan<float> wScales, int batch, int k, int n, Span<sbyte> xq, Span<float> xScales)
    {
        if (k > Int8MaxK)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"int8 kernels accumulate in int32: k must be at most {Int8MaxK}.");
        CheckLength(wScales.Length, n, nameof(wScales), "n");
        CheckLength(xq.Length, (long)batch * k, nameof(xq), "batch * k");
        CheckLength(xScales.Length, batch, nameof(xScales), "batch");
    }
}
