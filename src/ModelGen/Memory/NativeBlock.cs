using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelGen;

/// <summary>
/// One zero-initialised, 64-byte-aligned block of native memory. Typed spans over it are bounds-checked against the
/// block, so generated code needs no <c>unsafe</c>. Freed by <see cref="Dispose"/>; a finalizer frees it if the owner forgot.
/// </summary>
public sealed unsafe class NativeBlock : IDisposable
{
    private byte* _pointer;

    // What calloc returned: _pointer rounded up to the alignment. calloc, unlike aligned_alloc + clear, maps large
    // blocks to the operating system's zero pages, so the pages a Forward never touches (a batch below MaxBatch) take no
    // physical memory.
    private void* _allocation;

    /// <summary>Allocates <paramref name="bytes"/> bytes (at least one alignment unit), zeroed.</summary>
    public NativeBlock(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "A ModelGen block is limited to 2 GiB.");
        }

        Length = (int)DenseLayout.Align(Math.Max(bytes, 1));
        _allocation = NativeMemory.AllocZeroed((nuint)Length + DenseLayout.Alignment);
        _pointer = (byte*)(((nuint)_allocation + DenseLayout.Alignment - 1) & ~(nuint)(DenseLayout.Alignment - 1));
        GC.AddMemoryPressure(Length);
    }

    /// <summary>Size in bytes, a multiple of 64.</summary>
    public int Length { get; }

    /// <summary>Whether the memory has been freed.</summary>
    public bool IsDisposed => _pointer == null;

    /// <summary>Address of the first byte (64-byte aligned).</summary>
    public nint Address => (nint)Pointer;

    private byte* Pointer => _pointer != null ? _pointer : throw new ObjectDisposedException(nameof(NativeBlock));

    /// <summary>A span of <paramref name="count"/> elements of <typeparamref name="T"/> starting <paramref name="byteOffset"/> bytes into the block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<T> AsSpan<T>(int byteOffset, int count) where T : unmanaged
    {
        byte* p = Pointer;
        if ((uint)byteOffset > (uint)Length || (ulong)(uint)count * (ulong)sizeof(T) > (ulong)(Length - byteOffset))
        {
            ThrowOutOfBlock(byteOffset, count, sizeof(T));
        }

        return new Span<T>(p + byteOffset, count);
    }

    /// <summary>The whole block as bytes.</summary>
    public Span<byte> AsBytes() => new(Pointer, Length);

    /// <inheritdoc/>
    public void Dispose()
    {
        FreeMemory();
        GC.SuppressFinalize(this);
    }

    /// <summary>Safety net: frees the memory of a block its owner never disposed.</summary>
    ~NativeBlock() => FreeMemory();

    private void FreeMemory()
    {
        byte* p = _pointer;
        if (p == null)
        {
            return;
        }

        _pointer = null;
        NativeMemory.Free(_allocation);
        _allocation = null;
        GC.RemoveMemoryPressure(Length);
    }

    private void ThrowOutOfBlock(int byteOffset, int count, int elementSize) =>
        throw new ArgumentOutOfRangeException(nameof(byteOffset),
            $"{count} elements of {elementSize} bytes at offset {byteOffset} do not fit a block of {Length} bytes.");
}
