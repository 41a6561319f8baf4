using System.Buffers.Binary;
using System.IO.Compression;

namespace FashionMnist;

/// <summary>Fashion-MNIST in IDX format (gzip): images as x = pixel / 255 (no normalisation, as the models were trained).</summary>
public sealed class FashionMnistData
{
    /// <summary>Image side and flattened width.</summary>
    public const int Side = 28, Pixels = Side * Side;

    private FashionMnistData(float[] images, byte[] labels)
    {
        Images = images;
        Labels = labels;
    }

    /// <summary>Images, [Count, 784] row-major.</summary>
    public float[] Images { get; }

    /// <summary>Labels 0..9.</summary>
    public byte[] Labels { get; }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Reads <c>{prefix}-images-idx3-ubyte.gz</c> and <c>{prefix}-labels-idx1-ubyte.gz</c> from <paramref name="directory"/>.</summary>
    public static FashionMnistData Load(string directory, string prefix = "t10k")
    {
        byte[] pixels = ReadIdx(Path.Combine(directory, $"{prefix}-images-idx3-ubyte.gz"), 0x803, out int count);
        byte[] labels = ReadIdx(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte.gz"), 0x801, out int labelCount);
        if (count != labelCount || pixels.Length != count * Pixels)
        {
            throw new InvalidDataException($"{count} images ({pixels.Length} bytes) but {labelCount} labels.");
        }

        var images = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            images[i] = pixels[i] / 255f;
        }

        return new FashionMnistData(images, labels);
    }

    private static byte[] ReadIdx(string path, int magic, out int count)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        byte[] all = ms.ToArray();
        int header = 4 + 4 * (magic & 0xff);
        if (all.Length < header || BinaryPrimitives.ReadInt32BigEndian(all) != magic)
        {
            throw new InvalidDataException($"{path}: not an IDX file with magic 0x{magic:x8}.");
        }

        count = BinaryPrimitives.ReadInt32BigEndian(all.AsSpan(4));
        return all[header..];
    }
}
