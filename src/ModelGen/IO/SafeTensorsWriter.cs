using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace ModelGen.IO;

/// <summary>
/// Writes a safetensors file in the canonical layout of the reference files: compact JSON header with
/// <c>__metadata__</c> first (in the order added) and the tensors sorted by name (code-point order), padded with
/// spaces to a multiple of 8 bytes, then the tensors' data contiguous in the same order. Strings are written as
/// ASCII JSON (other characters as <c>\uXXXX</c>), as Python's <c>json.dumps</c> does. Tensor data is referenced,
/// not copied, until <see cref="WriteTo"/>.
/// </summary>
public sealed class SafeTensorsWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly List<KeyValuePair<string, string>> _metadata = [];
    private readonly HashSet<string> _metadataKeys = new(StringComparer.Ordinal);
    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);

    /// <summary>Adds a <c>__metadata__</c> entry; entries are written in the order added.</summary>
    public void AddMetadata(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        CheckWellFormed(key, nameof(key));
        CheckWellFormed(value, nameof(value));
        if (!_metadataKeys.Add(key))
        {
            throw new ArgumentException($"The metadata key '{key}' was already added.", nameof(key));
        }

        _metadata.Add(new(key, value));
    }

    /// <summary>
    /// Adds a tensor whose little-endian data is <paramref name="data"/>, which must hold exactly the shape's element
    /// count at <paramref name="dtype"/>'s size. The memory is read by <see cref="WriteTo"/>: keep it unchanged until then.
    /// </summary>
    public void AddTensor(string name, SafeTensorsDType dtype, ReadOnlyMemory<byte> data, params ReadOnlySpan<long> shape) =>
        Add(name, dtype, data, shape);

    /// <summary>
    /// Adds a tensor of <paramref name="values"/> (their bytes as stored on this little-endian machine), which must hold
    /// exactly the shape's element count at <paramref name="dtype"/>'s size. The array is read by <see cref="WriteTo"/>.
    /// </summary>
    public void AddTensor<T>(string name, SafeTensorsDType dtype, T[] values, params ReadOnlySpan<long> shape) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(values);
        Add(name, dtype, new ReadOnlyMemory<T>(values), shape);
    }

    private void Add<T>(string name, SafeTensorsDType dtype, ReadOnlyMemory<T> data, ReadOnlySpan<long> shape) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(name);
        CheckWellFormed(name, nameof(name));
        if (name == SafeTensorsHeader.MetadataKey)
        {
            throw new ArgumentException($"'{SafeTensorsHeader.MetadataKey}' is reserved for metadata.", nameof(name));
        }

        long elements = 1;
        foreach (long dimension in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dimension, nameof(shape));
            elements = checked(elements * dimension);
        }

        long bytes = checked(elements * SafeTensorsDTypes.SizeOf(dtype));
        long given = (long)data.Length * Unsafe.SizeOf<T>();
        if (given != bytes)
        {
            throw new ArgumentException(
                $"Tensor '{name}' of shape {TensorEntry.FormatShape(shape)} and dtype {dtype} needs {bytes} bytes; got {given}.", nameof(data));
        }

        if (!_tensorNames.Add(name))
        {
            throw new ArgumentException($"The tensor '{name}' was already added.", nameof(name));
        }

        _tensors.Add(new PendingTensor<T>(name, StrictUtf8.GetBytes(name), dtype, shape.ToArray(), data));
    }

    /// <summary>Writes the file to <paramref name="stream"/> at its current position.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        PendingTensor[] ordered = [.. _tensors];
        // UTF-8 byte order is code-point order, the order Python's sorted() gives names.
        Array.Sort(ordered, static (a, b) => a.Utf8Name.AsSpan().SequenceCompareTo(b.Utf8Name));

        byte[] header = BuildHeader(ordered);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (PendingTensor tensor in ordered)
        {
            stream.Write(tensor.Bytes);
        }
    }

    private byte[] BuildHeader(PendingTensor[] ordered)
    {
        var json = new StringBuilder();
        json.Append('{');
        if (_metadata.Count > 0)
        {
            AppendString(json, SafeTensorsHeader.MetadataKey);
            json.Append(":{");
            for (int i = 0; i < _metadata.Count; i++)
            {
                json.Append(i == 0 ? "" : ",");
                AppendString(json, _metadata[i].Key);
                json.Append(':');
                AppendString(json, _metadata[i].Value);
            }

            json.Append('}');
        }

        long offset = 0;
        foreach (PendingTensor tensor in ordered)
        {
            json.Append(json.Length > 1 ? "," : "");
            AppendString(json, tensor.Name);
            json.Append(":{\"dtype\":");
            AppendString(json, SafeTensorsDTypes.Name(tensor.DType));
            json.Append(",\"shape\":[").AppendJoin(',', tensor.Shape).Append("],\"data_offsets\":[");
            long end = offset + tensor.Bytes.Length;
            json.Append(offset.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(end.ToString(CultureInfo.InvariantCulture)).Append("]}");
            offset = end;
        }

        json.Append('}');
        // Space padding keeps the data section 8-byte aligned relative to the file start.
        json.Append(' ', (8 - json.Length % 8) % 8);
        if (json.Length > SafeTensorsFile.MaxHeaderBytes)
        {
            throw new InvalidOperationException(
                $"The header would take {json.Length} bytes, more than the {SafeTensorsFile.MaxHeaderBytes} bytes readers accept.");
        }

        return Encoding.ASCII.GetBytes(json.ToString());
    }

    /// <summary>Appends a JSON string literal using only ASCII: quotes, backslashes and control characters escaped, non-ASCII as <c>\uXXXX</c>.</summary>
    private static void AppendString(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case < ' ' or > '\x7f':
                    json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: json.Append(c); break;
            }
        }

        json.Append('"');
    }

    /// <summary>Rejects strings with lone surrogates, which have no UTF-8 (or JSON) form a reader could decode.</summary>
    private static void CheckWellFormed(string value, string parameterName)
    {
        try
        {
            StrictUtf8.GetByteCount(value);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException("The string holds an unpaired surrogate.", parameterName, ex);
        }
    }

    private abstract class PendingTensor(string name, byte[] utf8Name, SafeTensorsDType dtype, long[] shape)
    {
        public string Name { get; } = name;
        public byte[] Utf8Name { get; } = utf8Name;
        public SafeTensorsDType DType { get; } = dtype;
        public long[] Shape { get; } = shape;
        public abstract ReadOnlySpan<byte> Bytes { get; }
    }

    private sealed class PendingTensor<T>(string name, byte[] utf8Name, SafeTensorsDType dtype, long[] shape, ReadOnlyMemory<T> data)
        : PendingTensor(name, utf8Name, dtype, shape)
        where T : unmanaged
    {
        public override ReadOnlySpan<byte> Bytes => MemoryMarshal.AsBytes(data.Span);
    }
}
