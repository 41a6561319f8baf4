namespace ModelGen.IO;

/// <summary>One tensor declared in a safetensors header, validated: its element count and byte length agree with the dtype and shape.</summary>
public sealed class TensorEntry
{
    private readonly long[] _shape;

    internal TensorEntry(string name, SafeTensorsDType dtype, long[] shape, long elementCount, long dataOffset, long byteLength)
    {
        Name = name;
        DType = dtype;
        _shape = shape;
        ElementCount = elementCount;
        DataOffset = dataOffset;
        ByteLength = byteLength;
    }

    /// <summary>Tensor name (the header key).</summary>
    public string Name { get; }

    /// <summary>Element type.</summary>
    public SafeTensorsDType DType { get; }

    /// <summary>Dimensions, outermost first (row-major); empty for a scalar.</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>Product of the dimensions (1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>Offset of the first byte, relative to the start of the data section.</summary>
    public long DataOffset { get; }

    /// <summary>Size of the data in bytes: <see cref="ElementCount"/> times the dtype size.</summary>
    public long ByteLength { get; }

    /// <summary>Whether the shape equals <paramref name="dimensions"/>.</summary>
    public bool HasShape(params ReadOnlySpan<long> dimensions) => dimensions.SequenceEqual(_shape);

    /// <summary>The shape as written in messages, e.g. <c>[256, 784]</c>.</summary>
    public string ShapeText => FormatShape(_shape);

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {DType} {ShapeText}";

    internal static string FormatShape(ReadOnlySpan<long> shape) => $"[{string.Join(", ", shape.ToArray())}]";
}
