using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using ModelGen.Numerics;

namespace ModelGen.IO;

/// <summary>
/// A validated safetensors file: the header is parsed and checked in full when the file is opened (dtypes, shapes,
/// sizes, offsets that tile the data section exactly), and tensors are read on demand. A seekable stream is read in
/// place; a non-seekable one is first copied into memory, up to a size limit. Every problem with the file throws
/// <see cref="ModelFormatException"/>. Not thread-safe: reads move the position of the underlying stream.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    /// <summary>The largest header accepted, in bytes; larger claims are taken as corruption before any allocation.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Default limit on the bytes copied from a non-seekable stream (the largest array .NET allocates).</summary>
    public static long DefaultMaxBufferedBytes => Array.MaxLength;

    /// <summary>Elements converted per step when a dtype conversion needs a temporary buffer.</summary>
    private const int ChunkElements = 16 * 1024;

    private readonly Stream? _stream;
    private readonly bool _ownsStream;
    private readonly long _dataStart;
    private readonly byte[]? _data;
    private readonly Dictionary<string, TensorEntry> _byName;
    private bool _disposed;

    private SafeTensorsFile(SafeTensorsHeader header, Stream? stream, bool ownsStream, long dataStart, byte[]? data)
    {
        Metadata = new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(header.Metadata);
        Tensors = header.Tensors.AsReadOnly();
        _byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _stream = stream;
        _ownsStream = ownsStream;
        _dataStart = dataStart;
        _data = data;
    }

    /// <summary>The <c>__metadata__</c> entries in file order (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in header order.</summary>
    public IReadOnlyList<TensorEntry> Tensors { get; }

    /// <summary>Opens and validates the file at <paramref name="path"/>; the file stays open until <see cref="Dispose"/>.</summary>
    public static SafeTensorsFile Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            return OpenCore(stream, DefaultMaxBufferedBytes, ownsStream: true);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Validates the safetensors file that starts at the current position of <paramref name="stream"/>. The caller
    /// keeps ownership of the stream, which must stay open while tensors are read if it is seekable. A non-seekable
    /// stream is read to its end into memory, up to <see cref="DefaultMaxBufferedBytes"/>.
    /// </summary>
    public static SafeTensorsFile Open(Stream stream) => OpenCore(stream, DefaultMaxBufferedBytes, ownsStream: false);

    /// <summary>
    /// As <see cref="Open(Stream)"/>, but a non-seekable stream fails with <see cref="ModelFormatException"/> when its
    /// file would need more than <paramref name="maxBufferedBytes"/> bytes of memory.
    /// </summary>
    public static SafeTensorsFile Open(Stream stream, long maxBufferedBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBufferedBytes);
        return OpenCore(stream, Math.Min(maxBufferedBytes, DefaultMaxBufferedBytes), ownsStream: false);
    }

    /// <summary>The tensor called <paramref name="name"/>, if the file has it.</summary>
    public bool TryGetTensor(string name, [NotNullWhen(true)] out TensorEntry? tensor) => _byName.TryGetValue(name, out tensor);

    /// <summary>The tensor called <paramref name="name"/>; throws <see cref="ModelFormatException"/> when the file lacks it.</summary>
    public TensorEntry GetTensor(string name) =>
        _byName.TryGetValue(name, out TensorEntry? tensor)
            ? tensor
            : throw new ModelFormatException($"The file has no tensor '{name}'.");

    /// <summary>Copies <paramref name="destination"/>.Length raw bytes of <paramref name="tensor"/>, starting <paramref name="byteOffset"/> bytes into it.</summary>
    public void ReadBytes(TensorEntry tensor, long byteOffset, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckOwned(tensor);
        if (byteOffset < 0 || byteOffset > tensor.ByteLength || destination.Length > tensor.ByteLength - byteOffset)
        {
            throw new ArgumentOutOfRangeException(nameof(byteOffset),
                $"{destination.Length} bytes at offset {byteOffset} are outside tensor '{tensor.Name}' ({tensor.ByteLength} bytes).");
        }

        long position = tensor.DataOffset + byteOffset;
        if (_data is not null)
        {
            _data.AsSpan((int)position, destination.Length).CopyTo(destination);
            return;
        }

        try
        {
            _stream!.Position = _dataStart + position;
            _stream.ReadExactly(destination);
        }
        catch (EndOfStreamException ex)
        {
            // The length was checked on open, so the stream shrank since.
            throw new ModelFormatException($"Tensor '{tensor.Name}': the stream ended inside its data (was the file truncated?).", ex);
        }
    }

    /// <summary>
    /// Reads <paramref name="destination"/>.Length elements of a float tensor (F32, F16, BF16 or F64) as fp32, starting
    /// at element <paramref name="elementOffset"/>. F16 and BF16 widen exactly; F64 rounds to nearest even.
    /// </summary>
    public void ReadFloat32(TensorEntry tensor, long elementOffset, Span<float> destination)
    {
        CheckElementRange(tensor, elementOffset, destination.Length);
        switch (tensor.DType)
        {
            case SafeTensorsDType.F32:
                ReadElements(tensor, elementOffset, destination);
                break;
            case SafeTensorsDType.F16:
                Convert<ushort, float>(tensor, elementOffset, destination, HalfConversion.ToSingle);
                break;
            case SafeTensorsDType.BF16:
                Convert<ushort, float>(tensor, elementOffset, destination, BFloat16Conversion.ToSingle);
                break;
            case SafeTensorsDType.F64:
                Convert<double, float>(tensor, elementOffset, destination, static (source, target) =>
                {
                    for (int i = 0; i < source.Length; i++)
                    {
                        target[i] = (float)source[i];
                    }
                });
                break;
            default:
                throw new ModelFormatException($"Tensor '{tensor.Name}' has dtype {tensor.DType}, not a float type (F32, F16, BF16, F64).");
        }
    }

    /// <summary>Reads a whole float tensor (F32, F16, BF16 or F64) as fp32.</summary>
    public float[] ReadFloat32(string name)
    {
        TensorEntry tensor = GetTensor(name);
        var values = new float[CheckArrayLength(tensor)];
        ReadFloat32(tensor, 0, values);
        return values;
    }

    /// <summary>Reads <paramref name="destination"/>.Length elements of an F64 tensor, starting at element <paramref name="elementOffset"/>.</summary>
    public void ReadFloat64(TensorEntry tensor, long elementOffset, Span<double> destination)
    {
        CheckElementRange(tensor, elementOffset, destination.Length);
        if (tensor.DType != SafeTensorsDType.F64)
        {
            throw new ModelFormatException($"Tensor '{tensor.Name}' has dtype {tensor.DType}, not F64.");
        }

        ReadElements(tensor, elementOffset, destination);
    }

    /// <summary>Reads a whole integer tensor (I64, I32, I16, I8, U32, U16, U8) as 64-bit integers, e.g. class labels.</summary>
    public long[] ReadInt64(string name)
    {
        TensorEntry tensor = GetTensor(name);
        var values = new long[CheckArrayLength(tensor)];
        switch (tensor.DType)
        {
            case SafeTensorsDType.I64:
                ReadElements(tensor, 0, values.AsSpan());
                break;
            case SafeTensorsDType.I32:
                Widen<int>(tensor, values, static v => v);
                break;
            case SafeTensorsDType.I16:
                Widen<short>(tensor, values, static v => v);
                break;
            case SafeTensorsDType.I8:
                Widen<sbyte>(tensor, values, static v => v);
                break;
            case SafeTensorsDType.U32:
                Widen<uint>(tensor, values, static v => v);
                break;
            case SafeTensorsDType.U16:
                Widen<ushort>(tensor, values, static v => v);
                break;
            case SafeTensorsDType.U8:
                Widen<byte>(tensor, values, static v => v);
                break;
            default:
                throw new ModelFormatException(
                    $"Tensor '{tensor.Name}' has dtype {tensor.DType}, not an integer type that fits 64 bits (I64, I32, I16, I8, U32, U16, U8).");
        }

        return values;
    }

    /// <summary>Releases the stream when the file was opened from a path; a caller's stream is left open.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            if (_ownsStream)
            {
                _stream!.Dispose();
            }
        }
    }

    private static SafeTensorsFile OpenCore(Stream stream, long maxBufferedBytes, bool ownsStream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", nameof(stream));
        }

        return stream.CanSeek ? OpenSeekable(stream, ownsStream) : OpenBuffered(stream, maxBufferedBytes);
    }

    private static SafeTensorsFile OpenSeekable(Stream stream, bool ownsStream)
    {
        long origin = stream.Position;
        long available = stream.Length - origin;
        ulong declared = ReadHeaderLength(stream);
        if (declared > (ulong)(available - 8))
        {
            throw new ModelFormatException(
                $"The header length {declared} exceeds the {available - 8} bytes that follow it: the file is truncated or not safetensors.");
        }

        long headerLength = CheckHeaderLength(declared);
        byte[] json = new byte[headerLength];
        stream.ReadExactly(json);
        var header = SafeTensorsHeader.Parse(json);

        long dataLength = available - 8 - headerLength;
        SafeTensorsHeader.ValidateLayout(header.Tensors, dataLength);
        return new SafeTensorsFile(header, stream, ownsStream, origin + 8 + headerLength, data: null);
    }

    private static SafeTensorsFile OpenBuffered(Stream stream, long maxBufferedBytes)
    {
        long headerLength = CheckHeaderLength(ReadHeaderLength(stream));
        if (headerLength > maxBufferedBytes - 8)
        {
            throw new ModelFormatException(
                $"The header length {headerLength} exceeds the {maxBufferedBytes} bytes allowed for a non-seekable stream.");
        }

        byte[] json = ReadUpTo(stream, headerLength);
        if (json.Length < headerLength)
        {
            throw new ModelFormatException(
                $"The stream ended after {json.Length} of the {headerLength} header bytes: the file is truncated.");
        }

        var header = SafeTensorsHeader.Parse(json);

        // The data section must end where the last tensor ends (holes are rejected), so the header says how much to read.
        long dataLength = header.Tensors.Count == 0 ? 0 : header.Tensors.Max(t => t.DataOffset + t.ByteLength);
        if (dataLength > maxBufferedBytes - 8 - headerLength)
        {
            throw new ModelFormatException(
                $"The file declares {headerLength} header and {dataLength} data bytes, more than the {maxBufferedBytes} bytes allowed " +
                "for a non-seekable stream; pass a seekable stream (e.g. a FileStream) or raise the limit.");
        }

        // A short read leaves the data section short: the layout check then names the tensor that was cut.
        byte[] data = ReadUpTo(stream, dataLength);
        SafeTensorsHeader.ValidateLayout(header.Tensors, data.Length);
        if (stream.ReadByte() >= 0)
        {
            throw new ModelFormatException("The stream continues after the last tensor's data; a safetensors file has no trailing bytes.");
        }

        return new SafeTensorsFile(header, stream: null, ownsStream: false, dataStart: 0, data);
    }

    private static ulong ReadHeaderLength(Stream stream)
    {
        Span<byte> prefix = stackalloc byte[8];
        int read = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (read < prefix.Length)
        {
            throw new ModelFormatException(
                $"The stream holds only {read} bytes; a safetensors file starts with an 8-byte header length.");
        }

        return BinaryPrimitives.ReadUInt64LittleEndian(prefix);
    }

    private static long CheckHeaderLength(ulong declared)
    {
        if (declared == 0)
        {
            throw new ModelFormatException("The header length is 0; a safetensors header is at least the JSON '{}'.");
        }

        if (declared > MaxHeaderBytes)
        {
            throw new ModelFormatException($"The header length {declared} exceeds the limit of {MaxHeaderBytes} bytes.");
        }

        return (long)declared;
    }

    /// <summary>
    /// Reads <paramref name="count"/> bytes, or fewer if the stream ends first, from a stream whose length is unknown,
    /// growing the buffer as data arrives so that a false length in the file costs at most twice the bytes really present.
    /// </summary>
    private static byte[] ReadUpTo(Stream stream, long count)
    {
        byte[] buffer = new byte[Math.Min(count, 1 << 20)];
        int filled = 0;
        while (filled < count)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(count, 2L * buffer.Length));
            }

            int read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                Array.Resize(ref buffer, filled);
                break;
            }

            filled += read;
        }

        return buffer;
    }

    private void ReadElements<T>(TensorEntry tensor, long elementOffset, Span<T> destination) where T : unmanaged =>
        ReadBytes(tensor, elementOffset * SafeTensorsDTypes.SizeOf(tensor.DType), MemoryMarshal.AsBytes(destination));

    /// <summary>Reads raw elements in chunks through a pooled buffer and converts each chunk into <paramref name="destination"/>.</summary>
    private void Convert<TSource, TTarget>(TensorEntry tensor, long elementOffset, Span<TTarget> destination,
        ConvertSpan<TSource, TTarget> convert)
        where TSource : unmanaged
    {
        TSource[] buffer = ArrayPool<TSource>.Shared.Rent(Math.Min(destination.Length, ChunkElements));
        try
        {
            for (int done = 0; done < destination.Length;)
            {
                int count = Math.Min(buffer.Length, destination.Length - done);
                Span<TSource> chunk = buffer.AsSpan(0, count);
                ReadElements(tensor, elementOffset + done, chunk);
                convert(chunk, destination.Slice(done, count));
                done += count;
            }
        }
        finally
        {
            ArrayPool<TSource>.Shared.Return(buffer);
        }
    }

    private void Widen<TSource>(TensorEntry tensor, long[] destination, Func<TSource, long> widen) where TSource : unmanaged =>
        Convert<TSource, long>(tensor, 0, destination, (source, target) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                target[i] = widen(source[i]);
            }
        });

    private void CheckElementRange(TensorEntry tensor, long elementOffset, int count)
    {
        CheckOwned(tensor);
        if (elementOffset < 0 || elementOffset > tensor.ElementCount || count > tensor.ElementCount - elementOffset)
        {
            throw new ArgumentOutOfRangeException(nameof(elementOffset),
                $"{count} elements at {elementOffset} are outside tensor '{tensor.Name}' ({tensor.ElementCount} elements).");
        }
    }

    private void CheckOwned(TensorEntry tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!_byName.TryGetValue(tensor.Name, out TensorEntry? own) || !ReferenceEquals(own, tensor))
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' does not belong to this file.", nameof(tensor));
        }
    }

    private static int CheckArrayLength(TensorEntry tensor) =>
        tensor.ElementCount <= Array.MaxLength
            ? (int)tensor.ElementCount
            : throw new ModelFormatException($"Tensor '{tensor.Name}' has {tensor.ElementCount} elements, too many for one array.");

    private delegate void ConvertSpan<TSource, TTarget>(ReadOnlySpan<TSource> source, Span<TTarget> target);
}
