using ModelGen.IO;

namespace ModelGen.Tests.IO;

public class SafeTensorsReaderTests
{
    private const string TwoTensors =
        """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""";

    [Fact]
    public void Reads_the_reference_weights()
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(TestFiles.FashionMlp);

        Assert.Equal(["format", "model", "producer", "test_accuracy"], file.Metadata.Keys);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(["hidden.bias", "hidden.weight", "output.bias", "output.weight"], file.Tensors.Select(t => t.Name));
        TensorEntry hidden = file.GetTensor("hidden.weight");
        Assert.Equal(SafeTensorsDType.F32, hidden.DType);
        Assert.Equal([256L, 784L], hidden.Shape);
        Assert.Equal(256 * 784, hidden.ElementCount);
        Assert.Equal(1024, hidden.DataOffset);
        Assert.Equal(256 * 784 * 4, hidden.ByteLength);
        Assert.Equal("hidden.weight: F32 [256, 784]", hidden.ToString());

        float[] weights = file.ReadFloat32("hidden.weight");
        Assert.Equal(0.14941294491291046f, weights[0]);
        Assert.Equal(BitConverter.UInt32BitsToSingle(0xBE89A65A), file.ReadFloat32("output.bias")[9]);
    }

    [Fact]
    public void Reads_reference_labels_and_logits()
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(TestFiles.FashionMlpReference);

        long[] labels = file.ReadInt64("labels");
        float[] logits = file.ReadFloat32("logits");

        Assert.Equal(256, labels.Length);
        Assert.Equal([9L, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1], labels[..16]);
        Assert.Equal(-7.7824177742004395f, logits[0]);
        Assert.Equal(4.298668384552002f, logits[9]);
        int correct = Enumerable.Range(0, 256).Count(i => ArgMax(logits.AsSpan(i * 10, 10)) == labels[i]);
        Assert.Equal(file.Metadata["reference_correct"], correct.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("fashion_mlp.f16.safetensors", 1e-3)]
    [InlineData("fashion_mlp.bf16.safetensors", 8e-3)]
    public void Widens_half_precision_files_close_to_the_fp32_values(string name, double relativeTolerance)
    {
        using SafeTensorsFile reference = SafeTensorsFile.Open(TestFiles.FashionMlp);
        using SafeTensorsFile file = SafeTensorsFile.Open(Path.Combine(TestFiles.Models, name));

        foreach (TensorEntry tensor in reference.Tensors)
        {
            float[] expected = reference.ReadFloat32(tensor.Name);
            float[] actual = file.ReadFloat32(tensor.Name);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(actual[i] - expected[i]) <= relativeTolerance * Math.Abs(expected[i]) + 1e-7,
                    $"{tensor.Name}[{i}]: {actual[i]} vs {expected[i]}");
            }
        }
    }

    [Fact]
    public void A_non_seekable_stream_reads_the_same_values()
    {
        byte[] bytes = File.ReadAllBytes(TestFiles.FashionMlpReference);
        using SafeTensorsFile seekable = TestFiles.Open(bytes);
        using SafeTensorsFile buffered = SafeTensorsFile.Open(new NonSeekableStream(bytes));

        Assert.Equal(seekable.Metadata, buffered.Metadata);
        Assert.Equal(seekable.ReadFloat32("input"), buffered.ReadFloat32("input"));
        Assert.Equal(seekable.ReadInt64("labels"), buffered.ReadInt64("labels"));
    }

    [Fact]
    public void A_file_may_start_inside_a_larger_stream()
    {
        byte[] file = TestFiles.Build(TwoTensors, TestFiles.Floats(1, 2, 3));
        var stream = new MemoryStream([.. "prefix"u8, .. file]);
        stream.Position = 6;

        using SafeTensorsFile opened = SafeTensorsFile.Open(stream);

        Assert.Equal([1f, 2f], opened.ReadFloat32("a"));
        Assert.Equal([3f], opened.ReadFloat32("b"));
    }

    [Fact]
    public void Reads_part_of_a_tensor_and_converts_integer_types()
    {
        const string header = """{"f":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"i":{"dtype":"I16","shape":[3],"data_offsets":[16,22]},"u":{"dtype":"U8","shape":[2],"data_offsets":[22,24]}}""";
        byte[] data = [.. TestFiles.Floats(1, 2, 3, 4), 0xFF, 0xFF, 2, 0, 0x00, 0x80, 200, 7];
        using SafeTensorsFile file = TestFiles.Open(TestFiles.Build(header, data));

        float[] part = new float[2];
        file.ReadFloat32(file.GetTensor("f"), 1, part);

        Assert.Equal([2f, 3f], part);
        Assert.Equal([-1L, 2, short.MinValue], file.ReadInt64("i"));
        Assert.Equal([200L, 7], file.ReadInt64("u"));
        Assert.Throws<ArgumentOutOfRangeException>(() => file.ReadFloat32(file.GetTensor("f"), 3, part));
    }

    [Fact]
    public void Converts_F64_rounding_to_nearest()
    {
        const string header = """{"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}""";
        byte[] data = [.. BitConverter.GetBytes(0.1), .. BitConverter.GetBytes(-1e300)];
        using SafeTensorsFile file = TestFiles.Open(TestFiles.Build(header, data));

        Assert.Equal([0.1f, float.NegativeInfinity], file.ReadFloat32("d"));
        double[] raw = new double[2];
        file.ReadFloat64(file.GetTensor("d"), 0, raw);
        Assert.Equal([0.1, -1e300], raw);
    }

    [Fact]
    public void Accepts_an_empty_file_and_empty_tensors()
    {
        using SafeTensorsFile empty = TestFiles.Open(TestFiles.Build("{}", []));
        Assert.Empty(empty.Tensors);
        Assert.Empty(empty.Metadata);

        // A zero dimension makes an empty tensor however large the other dimensions are.
        const string header = """{"e":{"dtype":"F64","shape":[9223372036854775807,0],"data_offsets":[0,0]},"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}""";
        using SafeTensorsFile file = TestFiles.Open(TestFiles.Build(header, TestFiles.Floats(5)));
        Assert.Equal(0, file.GetTensor("e").ElementCount);
        Assert.Empty(file.ReadFloat32("e"));
        Assert.Equal([5f], file.ReadFloat32("s"));
    }

    [Fact]
    public void Wrong_reads_are_rejected_with_the_tensor_name()
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(TestFiles.FashionMlpReference);

        TestFiles.AssertMessage(Assert.Throws<ModelFormatException>(() => file.ReadFloat32("labels")), "'labels'", "I64");
        TestFiles.AssertMessage(Assert.Throws<ModelFormatException>(() => file.ReadInt64("logits")), "'logits'", "F32");
        TestFiles.AssertMessage(Assert.Throws<ModelFormatException>(() => file.GetTensor("nope")), "'nope'");
        using SafeTensorsFile other = SafeTensorsFile.Open(TestFiles.FashionMlp);
        Assert.Throws<ArgumentException>(() => file.ReadFloat32(other.GetTensor("hidden.bias"), 0, new float[1]));
    }

    [Fact]
    public void Reading_after_dispose_throws()
    {
        SafeTensorsFile file = SafeTensorsFile.Open(TestFiles.FashionMlp);
        TensorEntry bias = file.GetTensor("output.bias");
        file.Dispose();

        Assert.Throws<ObjectDisposedException>(() => file.ReadBytes(bias, 0, new byte[4]));
    }

    [Fact]
    public void Rejects_an_empty_stream() => TestFiles.AssertRejected([], "only 0 bytes", "8-byte header length");

    [Fact]
    public void Rejects_seven_bytes() => TestFiles.AssertRejected([1, 0, 0, 0, 0, 0, 0], "only 7 bytes");

    [Fact]
    public void Rejects_a_header_length_of_zero() => TestFiles.AssertRejected(TestFiles.LengthPrefix(0), "header length is 0");

    [Fact]
    public void Rejects_a_header_length_of_ulong_max() =>
        TestFiles.AssertRejected([.. TestFiles.LengthPrefix(ulong.MaxValue), .. "{}      "u8], "header length 18446744073709551615 exceeds");

    [Fact]
    public void Rejects_a_header_longer_than_the_file() =>
        TestFiles.AssertRejected([.. TestFiles.LengthPrefix(64), .. "{}      "u8], "header", "truncated");

    [Fact]
    public void Rejects_a_header_over_the_size_cap_before_reading_it()
    {
        // Non-seekable: the length cannot be checked against the stream, so the cap is what stops the allocation.
        var stream = new NonSeekableStream([.. TestFiles.LengthPrefix(SafeTensorsFile.MaxHeaderBytes + 1), .. "{}"u8]);
        var error = Assert.Throws<ModelFormatException>(() => SafeTensorsFile.Open(stream));
        TestFiles.AssertMessage(error, "header length 100000001 exceeds the limit");
    }

    [Theory]
    [InlineData("hello!!!", "not valid JSON")]
    [InlineData("[1,2,3] ", "not a JSON object")]
    [InlineData("\"text\"  ", "not a JSON object")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],""", "not valid JSON")]
    [InlineData("""{"a":1}""", "Tensor 'a'", "must be an object, not a number")]
    [InlineData("""{} x""", "not valid JSON")]
    [InlineData("""{"a":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}""", "Tensor 'a'", "unknown dtype 'F33'")]
    [InlineData("""{"a":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}""", "unknown dtype 'f32'")]
    [InlineData("""{"a":{"dtype":7,"shape":[1],"data_offsets":[0,4]}}""", "Tensor 'a'", "dtype", "not a string")]
    [InlineData("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", "Tensor 'a'", "negative shape entry -1")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}""", "Tensor 'a'", "shape entry 1.5", "not an integer")]
    [InlineData("""{"a":{"dtype":"F32","shape":"1","data_offsets":[0,4]}}""", "Tensor 'a'", "shape that is a string")]
    [InlineData("""{"a":{"dtype":"F32","shape":[[1]],"data_offsets":[0,4]}}""", "Tensor 'a'", "shape entry an array")]
    [InlineData("""{"a":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}}""", "Tensor 'a'", "not an integer in range")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}""", "Tensor 'a'", "overflows")]
    [InlineData("""{"a":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,4]}}""", "Tensor 'a'", "overflows")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}""", "Tensor 'a'", "data_offsets [4, 0]", "begin <= end")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}""", "Tensor 'a'", "[begin, end]")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,-4]}}""", "Tensor 'a'", "negative data_offsets entry")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", "Tensor 'a'", "size mismatch")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1]}}""", "Tensor 'a'", "lacks the field 'data_offsets'")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}""", "Tensor 'a'", "unknown field 'extra'")]
    [InlineData("""{"a":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", "Tensor 'a'", "'dtype' more than once")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", "key 'a' more than once")]
    [InlineData("""{"__metadata__":[],"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", "'__metadata__' must be an object")]
    [InlineData("""{"__metadata__":{"k":1},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", "Metadata entry 'k' must be a string")]
    [InlineData("""{"__metadata__":{"k":"1","k":"2"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", "key 'k' more than once")]
    [InlineData("""{"\ud800":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", "invalid string")]
    public void Rejects_malformed_headers(string header, params string[] fragments) =>
        TestFiles.AssertRejected(TestFiles.Build(header, TestFiles.Floats(1)), fragments);

    [Fact]
    public void Rejects_a_header_that_is_not_utf8() =>
        TestFiles.AssertRejected(TestFiles.Build([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'], []), "UTF-8");

    [Fact]
    public void Rejects_offsets_past_the_end_of_the_data() =>
        TestFiles.AssertRejected(TestFiles.Build(TwoTensors, TestFiles.Floats(1, 2)), "Tensor 'b'", "past the end of the data section (8 bytes)");

    [Fact]
    public void Rejects_overlapping_tensors()
    {
        const string header = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""";
        TestFiles.AssertRejected(TestFiles.Build(header, TestFiles.Floats(1, 2, 3)), "'b'", "overlaps tensor 'a'");
    }

    [Fact]
    public void Rejects_holes_and_trailing_bytes_in_the_data()
    {
        const string gap = """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""";
        TestFiles.AssertRejected(TestFiles.Build(gap, TestFiles.Floats(1, 2, 3)), "Bytes 4..8", "before 'b'", "contiguous");
        byte[] trailing = TestFiles.Build(TwoTensors, TestFiles.Floats(1, 2, 3, 4));
        TestFiles.AssertMessage(Assert.Throws<ModelFormatException>(() => TestFiles.Open(trailing)), "4 bytes after the last tensor");
        TestFiles.AssertMessage(Assert.Throws<ModelFormatException>(() => SafeTensorsFile.Open(new NonSeekableStream(trailing))), "trailing");
    }

    [Fact]
    public void Rejects_a_real_file_cut_inside_a_tensor()
    {
        byte[] bytes = File.ReadAllBytes(TestFiles.FashionMlp);
        TestFiles.AssertRejected(bytes[..(bytes.Length / 2)], "Tensor 'hidden.weight'", "past the end", "truncated");
        TestFiles.AssertRejected(bytes[..^1], "Tensor 'output.weight'", "past the end");
    }

    [Fact]
    public void A_non_seekable_stream_over_the_limit_is_rejected()
    {
        byte[] bytes = TestFiles.Build(TwoTensors, TestFiles.Floats(1, 2, 3));
        var error = Assert.Throws<ModelFormatException>(() => SafeTensorsFile.Open(new NonSeekableStream(bytes), maxBufferedBytes: 64));
        TestFiles.AssertMessage(error, "non-seekable", "64 bytes");

        using SafeTensorsFile fits = SafeTensorsFile.Open(new NonSeekableStream(bytes), bytes.Length);
        Assert.Equal(2, fits.Tensors.Count);
    }

    [Fact]
    public void Metadata_keeps_file_order_and_escapes()
    {
        const string header = """{"__metadata__":{"z":"1","a":"\"q\" \u00e9\n"},"t":{"dtype":"BOOL","shape":[1],"data_offsets":[0,1]}}""";
        using SafeTensorsFile file = TestFiles.Open(TestFiles.Build(header, [1]));

        Assert.Equal(["z", "a"], file.Metadata.Keys);
        Assert.Equal("\"q\" é\n", file.Metadata["a"]);
        Assert.Equal(SafeTensorsDType.BOOL, file.GetTensor("t").DType);
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            best = values[i] > values[best] ? i : best;
        }

        return best;
    }
}
