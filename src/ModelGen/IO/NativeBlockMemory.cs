using System.Buffers;

namespace ModelGen.IO;

/// <summary>Exposes a <see cref="NativeBlock"/> as <see cref="Memory{T}"/> so its tensors can be handed to the writer without copying.</summary>
internal sealed unsafe class NativeBlockMemory(NativeBlock block) : MemoryManager<byte>
{
    /// <inheritdoc/>
    public override Span<byte> GetSpan() => block.AsBytes();

    /// <inheritdoc/>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)block.Length, nameof(elementIndex));
        // Native memory never moves: no pinning needed.
        return new MemoryHandle((byte*)block.Address + elementIndex);
    }

    /// <inheritdoc/>
    public override void Unpin()
    {
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
    }
}
