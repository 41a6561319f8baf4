using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelGen.Kernels;

/// <summary>
/// The validated operands of one sparse dense-layer call: x (fp32, or int8 already quantized) and packed values of
/// type <typeparamref name="TV"/> with their structure (unstructured indices or bitmask, or 2:4 nibbles, see
/// <see cref="SparseLayout"/>). Kernels index with <see cref="Unsafe"/> arithmetic after the entry point checked
/// every length; the unstructured kernels also check, as they decode, each row's column indices (fp32) or that its
/// mask marks exactly <see cref="ValuesPerRow"/> columns (int8), see <see cref="ThrowBadRow"/>.
/// </summary>
internal readonly ref struct SparseDense<TX, TV> where TX : unmanaged where TV : unmanaged
{
    public readonly ref TX X;
    public readonly ref float XScales;
    public readonly ref TV Values;
    public readonly ref byte Structure;
    public readonly ref float WScales;
    public readonly ref float Bias;
    public readonly ref float Y;
    public readonly int Batch, K, N;
    /// <summary>keptPerRow (unstructured) or 2 ceil(k / 4) (2:4).</summary>
    public readonly int ValuesPerRow;
    /// <summary>Index bytes (fp32 unstructured), mask bytes (int8 unstructured) or nibble bytes (2:4) per row.</summary>
    public readonly int StructurePerRow;
    /// <summary>n * ValuesPerRow: the vector loads of packed values stay below this.</summary>
    public readonly nint ValueCount;
    public readonly bool HasBias;
    public readonly Activation Activation;

    public SparseDense(ReadOnlySpan<TX> x, ReadOnlySpan<float> xScales, ReadOnlySpan<TV> values, ReadOnlySpan<byte> structure,
        ReadOnlySpan<float> wScales, ReadOnlySpan<float> bias, Span<float> y, int batch, int k, int n,
        int valuesPerRow, int structurePerRow, Activation activation)
    {
        X = ref MemoryMarshal.GetReference(x);
        XScales = ref MemoryMarshal.GetReference(xScales);
        Values = ref MemoryMarshal.GetReference(values);
        Structure = ref MemoryMarshal.GetReference(structure);
        WScales = ref MemoryMarshal.GetReference(wScales);
        Bias = ref MemoryMarshal.GetReference(bias);
        Y = ref MemoryMarshal.GetReference(y);
        Batch = batch;
        K = k;
        N = n;
        ValuesPerRow = valuesPerRow;
        StructurePerRow = structurePerRow;
        ValueCount = (nint)n * valuesPerRow;
        HasBias = !bias.IsEmpty;
        Activation = activation;
    }

    public ref TX XRow(int b) => ref Unsafe.Add(ref X, (nint)b * K);

    public ref byte StructureRow(int j) => ref Unsafe.Add(ref Structure, (nint)j * StructurePerRow);

    public nint RowStart(int j) => (nint)j * ValuesPerRow;

    /// <summary>Adds the bias, applies the activation and writes y[b, j] (fp32 values).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(int b, int j, float sum)
    {
        if (HasBias) sum += Unsafe.Add(ref Bias, j);
        Unsafe.Add(ref Y, (nint)b * N + j) = ActivationFunctions.Apply(sum, Activation);
    }

    /// <summary>Dequantizes an int8 dot product exactly as <see cref="Int8Dense.Store"/> does, then bias and activation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(int b, int j, int dot)
    {
        float sum = dot * Unsafe.Add(ref XScales, b) * Unsafe.Add(ref WScales, j);
        if (HasBias) sum += Unsafe.Add(ref Bias, j);
        Unsafe.Add(ref Y, (nint)b * N + j) = ActivationFunctions.Apply(sum, Activation);
    }

    /// <summary>
    /// A row's mask does not mark exactly keptPerRow columns below k. Found while decoding (checking up front would
    /// read the whole mask a second time on every call), so outputs of earlier rows may already be written.
    /// </summary>
    [DoesNotReturn]
    public void ThrowBadRow(int j) =>
        throw new ArgumentException(
            $"structure row {j} does not mark exactly keptPerRow = {ValuesPerRow} of the k = {K} columns (bits past k must be 0).",
            "structure");

    /// <summary>A row's uint16 column indices reach k or beyond (found while decoding; see <see cref="ThrowBadRow"/>).</summary>
    [DoesNotReturn]
    public void ThrowBadIndex(int j) =>
        throw new ArgumentException($"structure row {j} holds a column index at or past k = {K}.", "structure");
}
