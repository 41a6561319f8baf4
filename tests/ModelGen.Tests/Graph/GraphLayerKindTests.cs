using ModelGen.Graph;

namespace ModelGen.Tests.Graph;

/// <summary>
/// Every layer kind through the executor and the CPU backend against the naive reference, on small odd shapes and
/// batches 1 and 3 (the kernels run on the process's best path; the suite also runs with AVX2 and intrinsics off).
/// </summary>
public class GraphLayerKindTests
{
    public static TheoryData<int> Batches() => new(1, 3);

    private static void Check(BuiltPlan plan, int batch, int seed, double tolerance = 1e-5)
    {
        using NativeBlock weights = GraphHarness.Load(plan, GraphHarness.RandomSource(plan, seed));
        float[] input = Kernels.KernelTestData.Uniform(new Random(seed + 1), batch * plan.InputSize);
        float[] expected = GraphHarness.Reference(plan, weights, input, batch);
        float[] actual = GraphHarness.Run(plan, weights, input, batch);
        GraphHarness.AssertClose(expected, actual, tolerance, $"batch {batch}");
    }

    public static TheoryData<Precision, int, int, int, int> ConvCases()
    {
        var data = new TheoryData<Precision, int, int, int, int>();
        foreach (Precision p in new[] { Precision.Float32, Precision.Float16, Precision.BFloat16, Precision.Int8 })
        {
            data.Add(p, 1, 3, 1, 1);   // 3x3 pad 1, one group (int8: 54 weights per channel for 99 positions, widened)
            data.Add(p, 1, 1, 1, 0);   // pointwise, 6 weights per channel (int8: too short for the GEMM, widened)
            data.Add(p, 1, 3, 2, 0);   // strided, no padding
            data.Add(p, 6, 3, 2, 1);   // depthwise (int8: widened weights)
            data.Add(p, 2, 3, 1, 1);   // two groups
        }
        return data;
    }

    /// <summary>Int8 convolutions with rows long enough for the int8 GEMM (see GraphScratch.ConvRunsInt8): a 1x1 and a 3x3.</summary>
    [Theory]
    [MemberData(nameof(Batches))]
    public void Int8ConvolutionsWithLongRowsRunTheInt8Gemm(int batch)
    {
        var b = new PlanBuilder(40, 3, 5);
        b.Conv("pointwise", 7, 1, precision: Precision.Int8, batchNorm: "bn");          // K 40, 15 positions
        b.Act(Activation.Relu6);
        b.Conv("conv", 5, 3, padding: 1, precision: Precision.Int8, bias: false);        // K 63, 15 positions, im2col
        BuiltPlan plan = b.Build();
        Assert.All(plan.Layers.Where(l => l.Kind == LayerKind.Conv2d),
            l => Assert.True(GraphScratch.ConvRunsInt8(GraphLayout.Geometry(l.Window)), l.Name));
        Check(plan, batch, 77);
    }

    /// <summary>
    /// Int8 convolutions with enough weights per output channel for the GEMM's panels but fewer than a quarter of the
    /// positions widen their weights to fp32 (vectorized, <see cref="ConvInt8.Dequantize"/>) on rows of 32 and 44.
    /// </summary>
    [Theory]
    [MemberData(nameof(Batches))]
    public void Int8ConvolutionsWithShortRowsWidenTheirWeights(int batch)
    {
        var b = new PlanBuilder(32, 15, 13);
        b.Conv("pointwise", 44, 1, precision: Precision.Int8, batchNorm: "bn");         // K 32, 195 positions
        b.Act(Activation.Relu6);
        b.Conv("next", 9, 1, precision: Precision.Int8, bias: false);                   // K 44, 195 positions
        BuiltPlan plan = b.Build();
        Assert.All(plan.Layers.Where(l => l.Kind == LayerKind.Conv2d),
            l => Assert.False(GraphScratch.ConvRunsInt8(GraphLayout.Geometry(l.Window)), l.Name));
        Check(plan, batch, 78);
    }

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void ConvolutionAtEachPrecision(Precision precision, int groups, int kernel, int stride, int padding)
    {
        foreach (int batch in new[] { 1, 3 })
        {
            var b = new PlanBuilder(6, 9, 11);
            b.Conv("conv", 6, kernel, stride, padding, groups, precision, bias: groups != 2, batchNorm: "bn");
            if (kernel == 1) b.Conv("pointwise", 5, 1, precision: precision);
            b.Act(Activation.Relu6);
            Check(b.Build(), batch, 10 + (int)precision);
        }
    }

    [Theory]
    [InlineData(Precision.Float32)]
    [InlineData(Precision.Float16)]
    [InlineData(Precision.BFloat16)]
    [InlineData(Precision.Int8)]
    public void DenseOverVectorsAndRows(Precision precision)
    {
        foreach (int batch in new[] { 1, 3 })
        {
            var b = new PlanBuilder(17);
            b.Dense("fc", 13, precision, Activation.Tanh);
            Check(b.Build(), batch, 20);
            var rows = new PlanBuilder(5, 17); // Dense over the last dimension of [5, 17]
            rows.Dense("fc", 7, precision, bias: false);
            Check(rows.Build(), batch, 21);
        }
    }

    [Theory]
    [MemberData(nameof(Batches))]
    public void StandaloneBatchNormInPlaceAndNot(int batch)
    {
        var b = new PlanBuilder(3, 5, 7);
        b.Conv("conv", 5, 3, padding: 1);
        b.BatchNorm("bn", 1e-3f, Activation.Relu);
        b.BatchNorm("bn2", inPlace: true);
        b.Dense("fc", 3);
        Check(b.Build(), batch, 30);
    }

    [Theory]
    [MemberData(nameof(Batches))]
    public void UnfusedActivationsInPlaceAndNot(int batch)
    {
        var b = new PlanBuilder(19);
        b.Dense("fc1", 23);
        b.Act(Activation.Gelu, fuse: false);
        b.Act(Activation.Sigmoid, fuse: false, inPlace: true);
        b.Act(Activation.Tanh, fuse: false);
        b.Dense("fc2", 5);
        Check(b.Build(), batch, 40);
    }

    [Theory]
    [MemberData(nameof(Batches))]
    public void AddWithTheModelInputAsResidualAndInPlace(int batch)
    {
        var b = new PlanBuilder(3, 5, 7);
        int conv = b.Conv("conv", 3, 3, padding: 1);
        b.Residual(conv, -1, Activation.Relu);             // the model input as the residual
        int conv2 = b.Conv("conv2", 3, 1);
        b.Residual(conv2, conv, inPlace: true);            // in place over conv2's output
        b.Flatten();
        b.Dense("fc", 4);
        Check(b.Build(), batch, 50);
    }

    [Theory]
    [MemberData(nameof(Batches))]
    public void PoolingWithPaddingAndGlobal(int batch)
    {
        var b = new PlanBuilder(4, 11, 9);
        b.Conv("conv", 5, 3);
        b.AvgPool(3, 2, 1);
        b.MaxPool(3, 2, 1);
        b.GlobalAvgPool(Activation.Sigmoid);
        b.Flatten();
        b.Dropout();
        b.Dense("fc", 3);
        Check(b.Build(), batch, 60);
    }

    [Theory]
    [MemberData(nameof(Batches))]
    public void LayerNormOverVectorsAndRows(int batch)
    {
        var b = new PlanBuilder(3, 13);
        b.Dense("fc", 13);
        b.LayerNorm("norm", 1e-3f);
        b.LayerNorm("norm2", inPlace: true);
        b.Dense("out", 2);
        Check(b.Build(), batch, 70);
    }

    [Fact]
    public void ObserverSeesEveryExecutedLayerOnce()
    {
        BuiltPlan plan = ReferenceModelTests.FashionCnn(Precision.Float32);
        using NativeBlock weights = GraphHarness.Load(plan, GraphHarness.RandomSource(plan, 3));
        var seen = new List<(int Layer, int Rows, int Length)>();
        GraphHarness.Run(plan, weights, new float[2 * 784], 2, observer: (layer, first, rows, output) => seen.Add((layer, rows, output.Length)));
        Assert.Equal(plan.Layers.Where(l => l.Executes).Select(l => (l.Index, 2, 2 * l.OutputSize)), seen);
    }
}
