using System.Text.Json;
using System.Text.Unicode;

namespace ModelGen.IO;

/// <summary>Parses and validates the JSON header of a safetensors file.</summary>
internal sealed class SafeTensorsHeader
{
    /// <summary>The header key that holds the string-to-string metadata instead of a tensor.</summary>
    public const string MetadataKey = "__metadata__";

    private SafeTensorsHeader(OrderedDictionary<string, string> metadata, List<TensorEntry> tensors)
    {
        Metadata = metadata;
        Tensors = tensors;
    }

    /// <summary>Metadata in file order.</summary>
    public OrderedDictionary<string, string> Metadata { get; }

    /// <summary>Tensors in header order.</summary>
    public List<TensorEntry> Tensors { get; }

    /// <summary>
    /// Parses the header JSON: an object whose values are tensor entries
    /// (<c>{"dtype":..., "shape":[...], "data_offsets":[begin, end]}</c>) plus an optional string-to-string
    /// <c>__metadata__</c> object. Checks each entry on its own; <see cref="ValidateLayout"/> checks them together.
    /// </summary>
    public static SafeTensorsHeader Parse(ReadOnlySpan<byte> json)
    {
        // Utf8JsonReader checks structure but does not promise to reject every invalid UTF-8 sequence.
        if (!Utf8.IsValid(json))
        {
            throw new ModelFormatException("The safetensors header is not valid UTF-8.");
        }

        var metadata = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<TensorEntry>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new ModelFormatException("The safetensors header is not a JSON object.");
            }

            while (Next(ref reader) != JsonTokenType.EndObject)
            {
                string key = GetString(ref reader, "a header key");
                if (!keys.Add(key))
                {
                    throw new ModelFormatException($"The safetensors header has the key '{key}' more than once.");
                }

                Next(ref reader);
                if (key == MetadataKey)
                {
                    ParseMetadata(ref reader, metadata);
                }
                else
                {
                    tensors.Add(ParseEntry(ref reader, key));
                }
            }

            // Only whitespace (the padding) may follow the object; the reader throws on anything else.
            if (reader.Read())
            {
                throw new ModelFormatException("The safetensors header has content after its JSON object.");
            }
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException($"The safetensors header is not valid JSON: {ex.Message}", ex);
        }

        return new SafeTensorsHeader(metadata, tensors);
    }

    /// <summary>
    /// Checks that the tensors tile the data section of <paramref name="dataLength"/> bytes exactly, as the format
    /// requires: in offset order each starts where the previous ended, none runs past the end, no bytes are left over.
    /// </summary>
    public static void ValidateLayout(IReadOnlyList<TensorEntry> tensors, long dataLength)
    {
        TensorEntry[] byOffset = [.. tensors];
        Array.Sort(byOffset, static (a, b) =>
            a.DataOffset != b.DataOffset ? a.DataOffset.CompareTo(b.DataOffset) : a.ByteLength.CompareTo(b.ByteLength));

        long expected = 0;
        TensorEntry? previous = null;
        foreach (TensorEntry tensor in byOffset)
        {
            long end = tensor.DataOffset + tensor.ByteLength;
            if (end > dataLength)
            {
                throw new ModelFormatException(
                    $"Tensor '{tensor.Name}' has data_offsets [{tensor.DataOffset}, {end}] past the end of the data section " +
                    $"({dataLength} bytes): the file is truncated or the offsets are wrong.");
            }

            if (tensor.DataOffset < expected)
            {
                throw new ModelFormatException(
                    $"Tensor '{tensor.Name}' (bytes {tensor.DataOffset}..{end}) overlaps tensor '{previous!.Name}' " +
                    $"(bytes {previous.DataOffset}..{expected}).");
            }

            if (tensor.DataOffset > expected)
            {
                throw new ModelFormatException(
                    $"Bytes {expected}..{tensor.DataOffset} of the data section belong to no tensor (before '{tensor.Name}'); " +
                    "safetensors data must be contiguous.");
            }

            expected = end;
            previous = tensor;
        }

        if (expected != dataLength)
        {
            throw new ModelFormatException(
                $"The data section has {dataLength - expected} bytes after the last tensor that belong to no tensor.");
        }
    }

    private static void ParseMetadata(ref Utf8JsonReader reader, OrderedDictionary<string, string> metadata)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ModelFormatException($"'{MetadataKey}' must be an object of string values, not {Describe(reader.TokenType)}.");
        }

        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string key = GetString(ref reader, "a metadata key");
            if (Next(ref reader) != JsonTokenType.String)
            {
                throw new ModelFormatException(
                    $"Metadata entry '{key}' must be a string, not {Describe(reader.TokenType)}.");
            }

            if (!metadata.TryAdd(key, GetString(ref reader, $"metadata entry '{key}'")))
            {
                throw new ModelFormatException($"Metadata has the key '{key}' more than once.");
            }
        }
    }

    private static TensorEntry ParseEntry(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ModelFormatException($"Tensor '{name}': the header entry must be an object, not {Describe(reader.TokenType)}.");
        }

        SafeTensorsDType? dtype = null;
        long[]? shape = null;
        long[]? offsets = null;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string field = GetString(ref reader, $"a field name of tensor '{name}'");
            Next(ref reader);
            switch (field)
            {
                case "dtype" when dtype is null:
                    dtype = ParseDType(ref reader, name);
                    break;
                case "shape" when shape is null:
                    shape = ParseIntegers(ref reader, name, "shape");
                    break;
                case "data_offsets" when offsets is null:
                    offsets = ParseIntegers(ref reader, name, "data_offsets");
                    break;
                case "dtype" or "shape" or "data_offsets":
                    throw new ModelFormatException($"Tensor '{name}' has the field '{field}' more than once.");
                default:
                    throw new ModelFormatException(
                        $"Tensor '{name}' has the unknown field '{field}' (expected dtype, shape and data_offsets).");
            }
        }

        if (dtype is null || shape is null || offsets is null)
        {
            string missing = dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets";
            throw new ModelFormatException($"Tensor '{name}' lacks the field '{missing}'.");
        }

        if (offsets.Length != 2 || offsets[0] > offsets[1])
        {
            throw new ModelFormatException(
                $"Tensor '{name}' has data_offsets {TensorEntry.FormatShape(offsets)}; expected [begin, end] with begin <= end.");
        }

        (long elements, long bytes) = Size(name, dtype.Value, shape);
        long byteLength = offsets[1] - offsets[0];
        if (byteLength != bytes)
        {
            throw new ModelFormatException(
                $"Tensor '{name}' has data_offsets [{offsets[0]}, {offsets[1]}] spanning {byteLength} bytes, but shape " +
                $"{TensorEntry.FormatShape(shape)} of {dtype} needs {bytes} bytes (size mismatch).");
        }

        return new TensorEntry(name, dtype.Value, shape, elements, offsets[0], byteLength);
    }

    private static SafeTensorsDType ParseDType(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new ModelFormatException($"Tensor '{name}' has a dtype that is {Describe(reader.TokenType)}, not a string.");
        }

        string text = GetString(ref reader, $"the dtype of tensor '{name}'");
        return SafeTensorsDTypes.TryParse(text, out SafeTensorsDType dtype)
            ? dtype
            : throw new ModelFormatException($"Tensor '{name}' has the unknown dtype '{text}'.");
    }

    /// <summary>Reads an array of non-negative integers that fit a long (shape dimensions or offsets).</summary>
    private static long[] ParseIntegers(ref Utf8JsonReader reader, string name, string field)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new ModelFormatException(
                $"Tensor '{name}' has a {field} that is {Describe(reader.TokenType)}, not an array of non-negative integers.");
        }

        var values = new List<long>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value))
            {
                string text = reader.TokenType == JsonTokenType.Number ? System.Text.Encoding.UTF8.GetString(reader.ValueSpan) : Describe(reader.TokenType);
                throw new ModelFormatException(
                    $"Tensor '{name}' has a {field} entry {text} that is not an integer in range; {field} must be an array of non-negative integers.");
            }

            if (value < 0)
            {
                throw new ModelFormatException(
                    $"Tensor '{name}' has the negative {field} entry {value}; {field} must be an array of non-negative integers.");
            }

            values.Add(value);
        }

        return [.. values];
    }

    /// <summary>Element count and byte size of a shape, failing instead of overflowing on hostile dimensions.</summary>
    private static (long Elements, long Bytes) Size(string name, SafeTensorsDType dtype, long[] shape)
    {
        // Any zero dimension makes an empty tensor, however large the others are.
        if (Array.IndexOf(shape, 0L) >= 0)
        {
            return (0, 0);
        }

        try
        {
            long elements = 1;
            foreach (long dimension in shape)
            {
                elements = checked(elements * dimension);
            }

            return (elements, checked(elements * SafeTensorsDTypes.SizeOf(dtype)));
        }
        catch (OverflowException ex)
        {
            throw new ModelFormatException(
                $"Tensor '{name}' has shape {TensorEntry.FormatShape(shape)} whose size overflows a 64-bit byte count.", ex);
        }
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        // Utf8JsonReader throws on malformed JSON; running out of tokens inside an object means the text is cut short.
        if (!reader.Read())
        {
            throw new ModelFormatException("The safetensors header is not valid JSON: it ends before its object is closed.");
        }

        return reader.TokenType;
    }

    private static string GetString(ref Utf8JsonReader reader, string what)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            // e.g. an escaped lone surrogate, which has no UTF-16 string form.
            throw new ModelFormatException($"The safetensors header has an invalid string in {what}: {ex.Message}", ex);
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
