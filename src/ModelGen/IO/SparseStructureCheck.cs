using System.Buffers;
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

    // The int8 2:4 layout is row-major: group g's nibble in byte g / 2, bits 4 (g % 2); positions first < second.
    private static void CheckRowMajorTwoOfFour(ReadOnlySpan<byte> meta, int n, int k)
    {
        int groups = (k + 3) / 4, bytesPerRow = (groups + 1) / 2;
        for (int r = 0; r < n; r++)
        {
            for (int g = 0; g < groups; g++)
            {
                int nibble = meta[r * bytesPerRow + g / 2] >> (4 * (g % 2)) & 0xF;
                if ((nibble & 3) >= (nibble >> 2 & 3))
                {
                    throw new ArgumentException($"meta row {r}, group {g}: positions {nibble & 3} and {nibble >> 2 & 3} are not two increasing positions.");
                }
            }
        }
    }
}
