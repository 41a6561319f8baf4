using ModelGen.Graph;

namespace ModelGen.Tests.Graph;

/// <summary>A backend that records each call and delegates to the CPU kernels.</summary>
internal sealed class RecordingBackend : CpuLayerBackend
{
    public List<(string Method, string Layer)> Calls { get; } = [];

    public override void Dense(GraphLayer layer, in LayerSpans spans) { Calls.Add((nameof(Dense), layer.Name)); base.Dense(layer, spans); }
    public override void Conv2d(GraphLayer layer, in LayerSpans spans) { Calls.Add((nameof(Conv2d), layer.Name)); base.Conv2d(layer, spans); }
    public override void BatchNorm2d(GraphLayer layer, in LayerSpans spans) { Calls.Add((nameof(BatchNorm2d), layer.Name)); base.BatchNorm2d(layer, spans); }
    public override void Pool(GraphLayer layer, in LayerSpans spans) { Calls.Add((nameof(Pool), layer.Name)); base.Pool(layer, spans); }
    public override void LayerNorm(GraphLayer layer, in LayerSpans spans) { Calls.Add((nameof(LayerNorm), layer.Name)); base.LayerNorm(layer, spans); }
    public override void Activate(GraphLayer layer, in LayerSpans spans) { Calls.Add((nameof(Activate), layer.Name)); base.Activate(layer, spans); }
    public override void Add(GraphLayer layer, in LayerSpans spans) { Calls.Add((nameof(Add), layer.Name)); base.Add(layer, spans); }
}

public class GraphBackendTests
{
    [Fact]
    public void EachExecutedLayerIsRoutedOnceInOrderAndViewsAndFusedLayersAreNot()
    {
        var b = new PlanBuilder(2, 9, 9);
        int conv = b.Conv("conv", 4, 3, padding: 1, batchNorm: "bn");   // folded
        b.Act(Activation.Relu);                                          // fused
        b.BatchNorm("bn_standalone");
        b.Act(Activation.Gelu, fuse: false, name: "gelu");
        b.Residual(b.Last, conv);
        b.MaxPool(2);
        b.GlobalAvgPool();
        b.Flatten();
        b.Dropout();
        b.LayerNorm("norm");
        b.Dense("fc", 3);
        BuiltPlan plan = b.Build();
        using NativeBlock weights = GraphHarness.Load(plan, GraphHarness.RandomSource(plan, 5));
        var backend = new RecordingBackend();
        float[] input = Kernels.KernelTestData.Uniform(new Random(6), 2 * plan.InputSize);
        float[] routed = GraphHarness.Run(plan, weights, input, 2, backend);

        Assert.Equal(
            [("Conv2d", "conv"), ("BatchNorm2d", "bn_standalone"), ("Activate", "gelu"), ("Add", plan.Layers[5].Name),
             ("Pool", plan.Layers[6].Name), ("Pool", plan.Layers[7].Name), ("LayerNorm", "norm"), ("Dense", "fc")],
            backend.Calls);
        Assert.Equal(GraphHarness.Run(plan, weights, input, 2), routed); // delegating changes nothing
    }

    [Fact]
    public void ForwardAllocatesNothing()
    {
        foreach (BuiltPlan plan in new[] { ReferenceModelTests.FashionCnn(Precision.Int8), ReferenceModelTests.FashionResMlp(Precision.Float16), AllKinds() })
            AssertForwardAllocatesNothing(plan);
    }

    private static void AssertForwardAllocatesNothing(BuiltPlan plan)
    {
        using NativeBlock weights = GraphHarness.Load(plan, GraphHarness.RandomSource(plan, 7));
        using var activations = new NativeBlock(plan.Plan.BlockBytes(3));
        float[] input = new float[3 * plan.InputSize], output = new float[3 * plan.OutputSize];
        void Round()
        {
            for (int batch = 1; batch <= 3; batch++)
                GraphExecutor.Forward(plan.Layers, plan.Plan, weights, activations, input, output, batch, CpuLayerBackend.Instance, null);
        }
        Round();
        AllocationAssert.SteadyStateAllocatesNothing(Round, "GraphExecutor.Forward");
    }

    private static BuiltPlan AllKinds()
    {
        var b = new PlanBuilder(3, 8, 8);
        int conv = b.Conv("conv", 3, 3, padding: 1, precision: Precision.BFloat16, batchNorm: "bn");
        b.Act(Activation.Relu);
        b.Conv("dw", 3, 3, padding: 1, groups: 3, precision: Precision.Int8);
        b.BatchNorm("bn2", inPlace: true);
        b.Act(Activation.Tanh, fuse: false, inPlace: true);
        b.Residual(b.Last, conv, inPlace: true);
        b.AvgPool(3, 2, 1);
        b.GlobalAvgPool();
        b.Flatten();
        b.LayerNorm("norm");
        b.Dense("fc", 5, Precision.Int8);
        return b.Build();
    }
}
