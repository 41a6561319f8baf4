using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

/// <summary>The fp32-accumulating kernel families, with their weight encodings.</summary>
public enum FloatFamily { Float32, Float16, BFloat16 }

/// <summary>A float-family dense problem: weights both encoded (what the kernel reads) and decoded (exact fp32 values).</summary>
internal sealed class FloatProblem
{
    public required FloatFamily Family { get; init; }
    public required int Batch { get; init; }
    public required int K { get; init; }
    public required int N { get; init; }
    public required float[] X { get; init; }
    public required float[] WDecoded { get; init; }
    public float[] WFloat32 { get; private init; } = [];
    public ushort[] WBits { get; private init; } = [];
    public required float[] Bias { get; init; }

    public static FloatProblem Random(FloatFamily family, int batch, int k, int n, int seed, bool bias = true, float scale = 1f)
    {
        var random = new Random(seed);
        float[] x = KernelTestData.Uniform(random, batch * k, scale);
        float[] w = KernelTestData.Uniform(random, n * k, scale);
        float[] b = bias ? KernelTestData.Uniform(random, n) : [];
        return FromWeights(family, batch, k, n, x, w, b);
    }

    /// <summary>Encodes <paramref name="w"/> in the family's format (rounding it) and keeps the decoded values.</summary>
    public static FloatProblem FromWeights(FloatFamily family, int batch, int k, int n, float[] x, float[] w, float[] bias)
    {
        ushort[] bits = family switch
        {
            FloatFamily.Float16 => Array.ConvertAll(w, v => BitConverter.HalfToUInt16Bits((Half)v)),
            FloatFamily.BFloat16 => Array.ConvertAll(w, v => (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16)),
            _ => [],
        };
        return FromBits(family, batch, k, n, x, family == FloatFamily.Float32 ? w : [], bits, bias);
    }

    public static FloatProblem FromBits(FloatFamily family, int batch, int k, int n, float[] x, float[] w32, ushort[] bits, float[] bias)
    {
        float[] decoded = family switch
        {
            FloatFamily.Float16 => Array.ConvertAll(bits, h => (float)BitConverter.UInt16BitsToHalf(h)),
            FloatFamily.BFloat16 => Array.ConvertAll(bits, h => BitConverter.UInt32BitsToSingle((uint)h << 16)),
            _ => w32,
        };
        return new FloatProblem
        {
            Family = family, Batch = batch, K = k, N = n, X = x, WDecoded = decoded, WFloat32 = w32, WBits = bits, Bias = bias,
        };
    }

    public float[] Run(KernelPath path, Activation activation)
    {
        var y = new float[Batch * N];
        Run(path, activation, y);
        return y;
    }

    public void Run(KernelPath path, Activation activation, Span<float> y)
    {
        switch (Family)
        {
            case FloatFamily.Float32: DenseKernels.Float32(path, X, WFloat32, Bias, y, Batch, K, N, activation); break;
            case FloatFamily.Float16: DenseKernels.Float16(path, X, WBits, Bias, y, Batch, K, N, activation); break;
            default: DenseKernels.BFloat16(path, X, WBits, Bias, y, Batch, K, N, activation); break;
        }
    }

    /// <summary>The pre-activation output in double, and the scale of its rounding error: sum |x| |w| + |bias|.</summary>
    public (double Value, double Magnitude) Reference(int b, int j)
    {
        double sum = 0, magnitude = 0;
        for (int i = 0; i < K; i++)
        {
            double p = (double)X[b * K + i] * WDecoded[j * K + i];
            sum += p;
            magnitude += Math.Abs(p);
        }
        if (Bias.Length > 0)
        {
            sum += Bias[j];
            magnitude += Math.Abs(Bias[j]);
        }
        return (sum, magnitude);
    }
}
