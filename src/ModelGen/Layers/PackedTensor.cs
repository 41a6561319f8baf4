using ModelGen.IO;

namespace ModelGen;

/// <summary>What a packed tensor of a dense layer holds.</summary>
internal enum TensorRole
{
    Weight,
    Structure,
    Scale,
    Min,
    Codebook,
    InputScale,
    Bias,
}

/// <summary>
/// One tensor of a layer as ModelGen packs it, in the weight block and in the files <c>Save</c> writes:
/// <c>{layer}{Suffix}</c> of <see cref="DType"/> and <see cref="Shape"/> at <see cref="Offset"/>.
/// </summary>
internal sealed record PackedTensor(TensorRole Role, string Suffix, SafeTensorsDType DType, long[] Shape, int Offset)
{
    /// <summary>Elements in the tensor.</summary>
    public long Count
    {
        get
        {
            long count = 1;
            foreach (long d in Shape) count *= d;
            return count;
        }
    }

    /// <summary>Bytes of the tensor.</summary>
    public long Bytes => Count * SafeTensorsDTypes.SizeOf(DType);
}
