using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

public class KernelAllocationTests
{
    public static TheoryData<KernelPath> Paths() => KernelTestData.Paths();

    /// <summary>No kernel allocates, on any path, in either regime (batch 1 and a tiled batch) or with an activation.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void KernelsDoNotAllocate(KernelPath path)
    {
        const int batch = 5, k = 37, n = 6;
        float[] x = KernelTestData.Uniform(new Random(1), batch * k), w = KernelTestData.Uniform(new Random(2), n * k);
        ushort[] w16 = new ushort[n * k];
        sbyte[] w8 = KernelTestData.Int8Weights(new Random(3), n * k), xq = new sbyte[batch * k];
        float[] bias = new float[n], y = new float[batch * n], scales = Enumerable.Repeat(0.01f, n).ToArray(), xScales = new float[batch];
        float[] widened = new float[n * k], transposed = new float[batch * k];
        // A one-group convolution on the int8 GEMM (K 4 * 3 * 3 = 36), dynamic and static.
        var conv = new Conv2dShape(4, n, 5, 5, 3, 3, PaddingHeight: 1, PaddingWidth: 1);
        float[] convX = KernelTestData.Uniform(new Random(4), 2 * conv.InputSize), convY = new float[2 * conv.OutputSize];
        sbyte[] convW = KernelTestData.Int8Weights(new Random(5), conv.WeightCount);
        byte[] convScratch = new byte[ConvInt8.ScratchBytes(conv)];
        // fashion_cnn's conv2 (Auto takes Winograd) and an odd shape forced onto Winograd (partial tiles, 4-channel tiles).
        var conv2 = new Conv2dShape(16, 32, 14, 14, 3, 3, PaddingHeight: 1, PaddingWidth: 1);
        var odd = new Conv2dShape(3, 10, 7, 9, 3, 3, PaddingHeight: 2, PaddingWidth: 1);
        float[] conv2X = KernelTestData.Uniform(new Random(6), 2 * conv2.InputSize), conv2W = KernelTestData.Uniform(new Random(7), conv2.WeightCount);
        float[] conv2Y = new float[2 * conv2.OutputSize], conv2Bias = new float[32];
        float[] winogradScratch = new float[Math.Max(ConvKernels.ScratchFloats(conv2), ConvKernels.ScratchFloats(odd, ConvAlgorithm.Winograd))];

        void All(int b, Activation activation)
        {
            DenseKernels.Float32(path, x, w, bias, y, b, k, n, activation);
            DenseKernels.Float16(path, x, w16, bias, y, b, k, n, activation);
            DenseKernels.BFloat16(path, x, w16, [], y, b, k, n, activation);
            DenseKernels.Int8(path, x, w8, scales, bias, y, b, k, n, activation, xq, xScales);
            ConvInt8.Dequantize(path, w8, scales, n, k, widened);
            ConvInt8.Transpose(path, x, transposed, batch, k);
            ConvInt8.Conv2d(path, convX, convW, scales, bias, convY, b == 1 ? 1 : 2, conv, activation, convScratch);
            ConvInt8.Conv2dStatic(path, convX, 0.01f, convW, scales, bias, convY, b == 1 ? 1 : 2, conv, activation, convScratch);
            ConvKernels.Conv2d(path, ConvAlgorithm.Auto, conv2X, conv2W, conv2Bias, conv2Y, b == 1 ? 1 : 2, conv2, activation, winogradScratch);
            ConvKernels.Conv2d(path, ConvAlgorithm.Winograd, conv2X, conv2W, [], conv2Y, 1, odd, activation, winogradScratch);
            if (path == KernelPaths.Best)
            {
                DenseKernels.Float32(x, w, bias, y, b, k, n, activation);
                DenseKernels.Float16(x, w16, bias, y, b, k, n, activation);
                DenseKernels.BFloat16(x, w16, bias, y, b, k, n, activation);
                DenseKernels.Int8(x, w8, scales, bias, y, b, k, n, activation, xq, xScales);
                Softmax.Rows(y, b, n);
            }
        }

        void Calls()
        {
            for (int i = 0; i < 100; i++)
                All(i % 2 == 0 ? 1 : batch, (Activation)(i % 6));
        }

        Calls(); // first calls JIT, initialize types and bind lazily
        AllocationAssert.SteadyStateAllocatesNothing(Calls, $"kernel calls on {path}");
    }
}
