using System.Buffers.Binary;
using System.Text;
using ModelGen.IO;

namespace ModelGen.Tests.IO;

/// <summary>Paths of the reference files and builders of hand-made (often broken) safetensors bytes.</summary>
internal static class TestFiles
{
    public static string Models => Path.Combine(AppContext.BaseDirectory, "data", "models");

    public static string FashionMlp => Path.Combine(Models, "fashion_mlp.safetensors");

    public static string FashionMlpF16 => Path.Combine(Models, "fashion_mlp.f16.safetensors");

    public static string FashionMlpBF16 => Path.Combine(Models, "fashion_mlp.bf16.safetensors");

    public static string FashionMlpReference => Path.Combine(Models, "fashion_mlp.reference.safetensors");

    /// <summary>A file: the header length prefix, <paramref name="header"/> padded with spaces to a multiple of 8, then <paramref name="data"/>.</summary>
    public static byte[] Build(string header, byte[] data) => Build(Encoding.UTF8.GetBytes(header.PadRight((header.Length + 7) / 8 * 8)), data);

    /// <summary>A file made of exactly these header bytes and data.</summary>
    public static byte[] Build(byte[] header, byte[] data) => [.. LengthPrefix((ulong)header.Length), .. header, .. data];

    /// <summary>An 8-byte little-endian header length.</summary>
    public static byte[] LengthPrefix(ulong length)
    {
        byte[] prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, length);
        return prefix;
    }

    public static byte[] Floats(params float[] values)
    {
        byte[] bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }

        return bytes;
    }

    public static SafeTensorsFile Open(byte[] bytes) => SafeTensorsFile.Open(new MemoryStream(bytes));

    /// <summary>Asserts that opening <paramref name="bytes"/> fails, seekable or not, with a message containing every fragment.</summary>
    public static void AssertRejected(byte[] bytes, params string[] fragments)
    {
        AssertMessage(Assert.Throws<ModelFormatException>(() => SafeTensorsFile.Open(new MemoryStream(bytes))), fragments);
        AssertMessage(Assert.Throws<ModelFormatException>(() => SafeTensorsFile.Open(new NonSeekableStream(bytes))), fragments);
    }

    public static void AssertMessage(Exception exception, params string[] fragments)
    {
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, exception.Message, StringComparison.Ordinal);
        }
    }
}
