using System.Buffers.Binary;
using System.Text;
using ModelGen.IO;

namespace ModelGen.Tests.IO;

public class SafeTensorsWriterTests
{
    [Theory]
    [InlineData("fashion_mlp.safetensors")]
    [InlineData("fashion_mlp.f16.safetensors")]
    [InlineData("fashion_mlp.bf16.safetensors")]
    [InlineData("fashion_mlp.reference.safetensors")]
    public void Rewriting_a_reference_file_gives_identical_bytes(string name)
    {
        byte[] original = File.ReadAllBytes(Path.Combine(TestFiles.Models, name));
        using SafeTensorsFile file = TestFiles.Open(original);
        var writer = new SafeTensorsWriter();
        foreach ((string key, string value) in file.Metadata)
        {
            writer.AddMetadata(key, value);
        }

        // Added in reverse order: the writer sorts by name itself.
        foreach (TensorEntry tensor in file.Tensors.Reverse())
        {
            byte[] data = new byte[tensor.ByteLength];
            file.ReadBytes(tensor, 0, data);
            writer.AddTensor(tensor.Name, tensor.DType, data, [.. tensor.Shape]);
        }

        Assert.Equal(original, WriteToArray(writer));
    }

    [Fact]
    public void Round_trips_every_dtype_name_and_metadata_string()
    {
        var writer = new SafeTensorsWriter();
        writer.AddMetadata("quote\"back\\slash", "line\nbreak\ttab\u0001 é 😀 </script>");
        writer.AddMetadata("empty", "");
        SafeTensorsDType[] dtypes = Enum.GetValues<SafeTensorsDType>();
        foreach (SafeTensorsDType dtype in dtypes)
        {
            byte[] data = Enumerable.Range(0, 3 * SafeTensorsDTypes.SizeOf(dtype)).Select(i => (byte)(i + (int)dtype)).ToArray();
            writer.AddTensor($"t.{dtype} é", dtype, data, 3);
        }

        writer.AddTensor("scalar", SafeTensorsDType.F32, new[] { 2.5f });
        writer.AddTensor("empty", SafeTensorsDType.I64, Array.Empty<long>(), 0, 5);

        using SafeTensorsFile file = TestFiles.Open(WriteToArray(writer));

        Assert.Equal(["quote\"back\\slash", "empty"], file.Metadata.Keys);
        Assert.Equal("line\nbreak\ttab\u0001 é 😀 </script>", file.Metadata["quote\"back\\slash"]);
        foreach (SafeTensorsDType dtype in dtypes)
        {
            TensorEntry tensor = file.GetTensor($"t.{dtype} é");
            Assert.Equal(dtype, tensor.DType);
            Assert.True(tensor.HasShape(3));
            byte[] data = new byte[tensor.ByteLength];
            file.ReadBytes(tensor, 0, data);
            Assert.Equal(Enumerable.Range(0, data.Length).Select(i => (byte)(i + (int)dtype)), data);
        }

        Assert.Equal([2.5f], file.ReadFloat32("scalar"));
        Assert.Empty(file.GetTensor("scalar").Shape);
        Assert.True(file.GetTensor("empty").HasShape(0, 5));
    }

    [Fact]
    public void Writes_the_canonical_layout()
    {
        var writer = new SafeTensorsWriter();
        writer.AddTensor("b", SafeTensorsDType.F32, new[] { 1f }, 1);
        writer.AddTensor("a", SafeTensorsDType.F16, new ushort[] { 0x3C00 }, 1);
        writer.AddMetadata("format", "pt");

        byte[] bytes = WriteToArray(writer);
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string header = Encoding.ASCII.GetString(bytes, 8, length);

        Assert.Equal(0, length % 8);
        Assert.Equal(
            """{"__metadata__":{"format":"pt"},"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}""",
            header.TrimEnd(' '));
        Assert.Equal([0x00, 0x3C, .. BitConverter.GetBytes(1f)], bytes[(8 + length)..]);
    }

    [Fact]
    public void Sorts_names_by_code_point()
    {
        // UTF-16 ordinal order puts U+FF21 after the surrogate pair of U+1F600; code-point order (Python's) before it.
        var writer = new SafeTensorsWriter();
        writer.AddTensor("\U0001F600", SafeTensorsDType.U8, new byte[] { 1 }, 1);
        writer.AddTensor("\uFF21", SafeTensorsDType.U8, new byte[] { 2 }, 1);

        using SafeTensorsFile file = TestFiles.Open(WriteToArray(writer));

        Assert.Equal(0, file.GetTensor("\uFF21").DataOffset);
        Assert.Equal(1, file.GetTensor("\U0001F600").DataOffset);
    }

    [Fact]
    public void Writes_an_empty_file()
    {
        byte[] bytes = WriteToArray(new SafeTensorsWriter());

        Assert.Equal([.. TestFiles.LengthPrefix(8), .. "{}      "u8], bytes);
        using SafeTensorsFile file = TestFiles.Open(bytes);
        Assert.Empty(file.Tensors);
    }

    [Fact]
    public void Rejects_invalid_tensors_and_metadata()
    {
        var writer = new SafeTensorsWriter();
        writer.AddTensor("a", SafeTensorsDType.F32, new float[2], 2);
        writer.AddMetadata("k", "v");

        Assert.Contains("already", Assert.Throws<ArgumentException>(() => writer.AddTensor("a", SafeTensorsDType.F32, new float[2], 2)).Message);
        Assert.Contains("needs 12 bytes; got 8", Assert.Throws<ArgumentException>(() => writer.AddTensor("b", SafeTensorsDType.F32, new float[2], 3)).Message);
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => writer.AddTensor("__metadata__", SafeTensorsDType.U8, new byte[1], 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.AddTensor("c", SafeTensorsDType.U8, new byte[1], -1));
        Assert.Throws<ArgumentException>(() => writer.AddMetadata("k", "w"));
        Assert.Throws<ArgumentException>(() => writer.AddMetadata("lone", "\ud800"));
    }

    private static byte[] WriteToArray(SafeTensorsWriter writer)
    {
        var stream = new MemoryStream();
        writer.WriteTo(stream);
        return stream.ToArray();
    }
}
