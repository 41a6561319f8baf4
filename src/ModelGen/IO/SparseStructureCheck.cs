using System.Buffers;
using ModelGen.Kernels;
using ModelGen.Quantization;

namespace ModelGen.IO;

/// <summary>
/// Checks the sparse structure of a packed file before a kernel trusts it: ELL columns increasing and below k, bitmask
/// rows marking exactly the kept count, 2:4 positions increasing. A bad structure would make the kernels read the wrong
/// inputs (they bounds-check, but a wrong model is worse than an error at load).
/// </summary>
internal static class SparseStructureCheck
{
    public static void Check(DenseLayer layer, PackedTensor[] tensors, NativeBlock block)
    {
        int n = layer.OutFeatures, k = layer.InFeatures;
        PackedTensor values = tensors[0], structure = tensors[1];
        ReadOnlySpan<byte> meta = block.AsSpan<byte>(structure.Offset, (int)structure.Bytes);
        float[] dense = ArrayPool<float>.Shared.Rent(n * k);
        try
        {
            Span<float> w = dense.AsSpan(0, n * k);
            switch (layer.Pruning, layer.Precision)
            {
                case (Pruning.TwoOfFour, Precision.Float32):
                    MagnitudePruner.ExpandTwoOfFour(block.AsSpan<float>(values.Offset, (int)values.Count), meta, n, k, w);
                    break;
                case (Pruning.TwoOfFour, _):
                    CheckRowMajorTwoOfFour(meta, n, k);
                    break;
                case (_, Precision.Float32):
                    MagnitudePruner.ExpandUnstructured(block.AsSpan<float>(values.Offset, (int)values.Count), meta, n, k, layer.KeptPerRow, w);
                    break;
                default:
                    MagnitudePruner.ExpandUnstructuredInt8(block.AsSpan<sbyte>(values.Offset, (int)values.Count),
                        block.AsSpan<float>(layer.ScaleOffset, n), meta, n, k, layer.KeptPerRow, w);
                    break;
            }
        }
        catch (ArgumentException error)
        {
            throw new ModelFormatException($"Tensor '{layer.Name}{structure.Suffix}' is not a valid sparse structure: {error.Message}");
        }
        finally
        {
            ArrayPool<float>.Shared.Return(dense);
        }
    }

    // The int8 2:4 layout is row-major, positions where SparseLayout.Int8Position24 says; first < second.
    private static void CheckRowMajorTwoOfFour(ReadOnlySpan<byte> meta, int n, int k)
    {
        int groups = SparseLayout.Groups24(k), bytesPerRow = SparseLayout.MetaBytesPerRow(k);
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<byte> row = meta.Slice(r * bytesPerRow, bytesPerRow);
            for (int g = 0; g < groups; g++)
            {
                var (b0, s0) = SparseLayout.Int8Position24(groups, g, 0);
                var (b1, s1) = SparseLayout.Int8Position24(groups, g, 1);
                int first = row[b0] >> s0 & 3, second = row[b1] >> s1 & 3;
                if (first >= second)
                {
                    throw new ArgumentException($"meta row {r}, group {g}: positions {first} and {second} are not two increasing positions.");
                }
            }
        }
    }
}
