using ModelGen.IO;
using ModelGen.Quantization;
using MobileNetV2Float32 = MobileNetV2.MobileNetV2Float32;
using MobileNetV2Int8 = MobileNetV2.MobileNetV2Int8;

namespace ModelGen.Tests.EndToEnd;

/// <summary>Generated graph models end to end: PyTorch parity, int8 agreement, batching, budgets, save/load, backends.</summary>
public sealed class GraphModelTests(ITestOutputHelper output)
{
    private static double MaxAbsDiff(float[] a, float[] b) => a.Zip(b).Max(p => Math.Abs((double)p.First - p.Second));

    [Fact]
    public void GeneratedFashionCnnMatchesPyTorchAndInt8AgreesWithIt()
    {
        var (input, expected) = GraphReference.Load("fashion_cnn");
        using var fp32 = GraphCnnFloat32.Load(ReferenceData.ModelPath("fashion_cnn.safetensors"));
        using var int8 = GraphCnnInt8.Load(ReferenceData.ModelPath("fashion_cnn.safetensors"));
        float[] logits = GraphReference.Run(fp32, input, GraphCnnFloat32.MaxBatch);
        float[] quantized = GraphReference.Run(int8, input, 7);

        Assert.True(MaxAbsDiff(logits, expected) <= 1e-4, $"max |diff| {MaxAbsDiff(logits, expected)}");
        Assert.Equal(ReferenceData.Top1(expected), ReferenceData.Top1(logits));
        double agreement = ReferenceData.Agreement(ReferenceData.Top1(quantized), ReferenceData.Top1(logits));
        output.WriteLine($"fashion_cnn: fp32 max |diff| {MaxAbsDiff(logits, expected):E2}; int8 agreement {agreement:P2}; weights {GraphCnnInt8.WeightBytes} of {GraphCnnInt8.Float32WeightBytes}");
        Assert.True(agreement >= 0.99, $"int8 agreement {agreement:P2}");
        Assert.Contains("bn1 folded", GraphCnnFloat32.Memory.ToString());
    }

    [Fact]
    public void GeneratedResMlpMatchesPyTorchAndInt8AgreesWithIt()
    {
        var (input, expected) = GraphReference.Load("fashion_resmlp");
        using var fp32 = GraphResMlpFloat32.Load(ReferenceData.ModelPath("fashion_resmlp.safetensors"));
        using var int8 = GraphResMlpInt8.Load(ReferenceData.ModelPath("fashion_resmlp.safetensors"));
        float[] logits = GraphReference.Run(fp32, input, 5);
        float[] quantized = GraphReference.Run(int8, input, GraphResMlpInt8.MaxBatch);

        Assert.True(MaxAbsDiff(logits, expected) <= 1e-4, $"max |diff| {MaxAbsDiff(logits, expected)}");
        Assert.Equal(ReferenceData.Top1(expected), ReferenceData.Top1(logits));
        double agreement = ReferenceData.Agreement(ReferenceData.Top1(quantized), ReferenceData.Top1(logits));
        output.WriteLine($"fashion_resmlp: fp32 max |diff| {MaxAbsDiff(logits, expected):E2}; int8 agreement {agreement:P2}");
        Assert.True(agreement >= 0.99, $"int8 agreement {agreement:P2}");
    }

    [Fact]
    public void EveryBatchSizeGivesTheSameLogitsAsBatchOne()
    {
        var (input, _) = GraphReference.Load("fashion_cnn");
        input = input[..(23 * 784)];
        using var model = GraphCnnInt8.Load(ReferenceData.ModelPath("fashion_cnn.safetensors"));
        float[] single = GraphReference.Run(model, input, 1);
        foreach (int batch in new[] { 2, 3, 7, 16 })
            Assert.True(MaxAbsDiff(single, GraphReference.Run(model, input, batch)) <= 1e-5, $"batch {batch}");
    }

    [Fact]
    public void LargestBatchWithinIsExact()
    {
        var plan = GraphCnnFloat32.Plan;
        for (long budget = GraphCnnFloat32.WeightBlockBytes; budget < GraphCnnFloat32.TotalBytes + 3 * plan.PeakBytesPerSample; budget += 997 * 64 + 13)
        {
            int largest = GraphCnnFloat32.LargestBatchWithin(budget);
            if (largest > 0)
                Assert.True(GraphCnnFloat32.WeightBlockBytes + plan.BlockBytes(largest) <= budget);
            if (largest < GraphCnnFloat32.MaxBatch)
                Assert.True(GraphCnnFloat32.WeightBlockBytes + plan.BlockBytes(largest + 1) > budget);
            int unclamped = ModelBatching.LargestMaxBatch(GraphCnnFloat32.Memory, budget);
            Assert.Equal(largest, Math.Min(unclamped, GraphCnnFloat32.MaxBatch));
        }

        Assert.Equal(GraphCnnFloat32.ActivationBlockBytes, plan.BlockBytes(GraphCnnFloat32.MaxBatch));
    }

    [Fact]
    public void BudgetedBatchesMatchOneBatchAndReportProgress()
    {
        var (input, _) = GraphReference.Load("fashion_resmlp");
        using var model = GraphResMlpFloat32.Load(ReferenceData.ModelPath("fashion_resmlp.safetensors"));
        float[] whole = GraphReference.Run(model, input, GraphResMlpFloat32.MaxBatch);
        var batched = new float[whole.Length];
        var seen = new List<int>();
        model.ForwardWithinBudget(input, batched, input.Length / 784, GraphResMlpFloat32.TotalBytes, new SynchronousProgress(seen.Add));
        Assert.Equal(whole, batched);
        Assert.Equal(input.Length / 784, seen[^1]);
    }

    [Fact]
    public void SavedInt8FileReloadsBitIdentically()
    {
        var (input, _) = GraphReference.Load("fashion_cnn");
        input = input[..(9 * 784)];
        using var model = GraphCnnInt8.Load(ReferenceData.ModelPath("fashion_cnn.safetensors"));
        using var saved = new MemoryStream();
        model.Save(saved);
        saved.Position = 0;
        using var reloaded = GraphCnnInt8.Load(saved);
        Assert.Equal(GraphReference.Run(model, input, 9), GraphReference.Run(reloaded, input, 9));
        Assert.True(saved.Length < new FileInfo(ReferenceData.ModelPath("fashion_cnn.safetensors")).Length / 3);
    }

    [Fact]
    public void ABackendSeesEveryExecutingLayerOnceAndWorkersKeepIt()
    {
        var (input, _) = GraphReference.Load("fashion_cnn");
        using var model = GraphCnnFloat32.Load(ReferenceData.ModelPath("fashion_cnn.safetensors"));
        var backend = new CountingBackend();
        model.Backend = backend;
        var logits = new float[10];
        model.Forward(input.AsSpan(0, 784), logits, 1);
        Assert.Equal(GraphCnnFloat32.Layers.Where(l => l.Executes).Select(l => l.Name), backend.Names);
        Assert.Equal(["conv1", "pool1", "conv2", "pool2", "fc1", "fc2"], backend.Names);

        using var worker = model.CreateWorker();
        Assert.Same(backend, worker.Backend);
        Assert.Throws<ArgumentNullException>(() => model.Backend = null!);
    }

    [Fact]
    public void ForwardAfterDisposeThrows()
    {
        var model = GraphResMlpFloat32.Load(ReferenceData.ModelPath("fashion_resmlp.safetensors"));
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.Forward(new float[784], new float[10], 1));
    }

    [Fact]
    public void EvaluationReportsTheExecutingLayers()
    {
        var (input, _) = GraphReference.Load("fashion_resmlp");
        using var fp32 = GraphResMlpFloat32.Load(ReferenceData.ModelPath("fashion_resmlp.safetensors"));
        using var int8 = GraphResMlpInt8.Load(ReferenceData.ModelPath("fashion_resmlp.safetensors"));
        var report = ModelEvaluation.Evaluate(int8, fp32, input.AsSpan(0, 64 * 784), new int[64]);
        Assert.Equal(["inp", "norm", "fc_a", "fc_b", "residual", "norm_out", "out"], report.Layers.Select(l => l.Name));
        Assert.All(report.Layers, l => Assert.True(l.SnrDb > 20, $"{l.Name} {l.SnrDb:F1} dB"));
    }

    [Fact]
    public void GeneratedMobileNetV2MatchesTorchvision()
    {
        string? weights = SharedReferenceModels.Find("mobilenet_v2.safetensors"), reference = SharedReferenceModels.Find("mobilenet_v2.reference.safetensors");
        if (weights is null || reference is null)
            Assert.Skip("../shared/data/reference-models/mobilenet_v2*.safetensors is not on this machine (the weights are not shipped in data/).");
        float[] input, expected;
        using (var file = SafeTensorsFile.Open(reference))
            (input, expected) = (file.ReadFloat32("input"), file.ReadFloat32("logits"));
        using var fp32 = MobileNetV2Float32.Load(weights);
        using var int8 = MobileNetV2Int8.Load(weights);
        float[] logits = GraphReference.Run(fp32, input, 3), quantized = GraphReference.Run(int8, input, 8);

        double relative = MaxAbsDiff(logits, expected) / expected.Max(v => Math.Abs((double)v));
        double int8Relative = MaxAbsDiff(quantized, logits) / logits.Max(v => Math.Abs((double)v));
        output.WriteLine($"mobilenet_v2 generated: fp32 relative error {relative:E2}; int8 relative to fp32 {int8Relative:F3}; "
            + $"weights int8 {MobileNetV2Int8.WeightBytes} / fp32 {MobileNetV2Float32.WeightBytes}; plan peak/lower bound {MobileNetV2Float32.Plan.PeakOverLowerBound:F3}");
        Assert.True(relative <= 1e-4, $"relative error {relative}");
        Assert.Equal(153, MobileNetV2Float32.Layers.Count);
        Assert.True(MobileNetV2Float32.Plan.PeakOverLowerBound <= 1.1);
    }

    [Fact]
    public void AGeneratedBackendSkeletonRunsItsHooksAndLeavesTheRestToTheCpu()
    {
        var (input, _) = GraphReference.Load("fashion_resmlp");
        input = input[..(5 * 784)];
        using var model = GraphResMlpFloat32.Load(ReferenceData.ModelPath("fashion_resmlp.safetensors"));
        float[] cpu = GraphReference.Run(model, input, 5);
        var backend = new AddOffload();
        model.Backend = backend;

        Assert.Equal(cpu, GraphReference.Run(model, input, 5));
        Assert.Equal(1, backend.Adds);
    }

    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }

    private sealed class CountingBackend : CpuLayerBackend
    {
        public List<string> Names { get; } = [];

        public override void Conv2d(GraphLayer layer, in LayerSpans spans) { Names.Add(layer.Name); base.Conv2d(layer, spans); }
        public override void Pool(GraphLayer layer, in LayerSpans spans) { Names.Add(layer.Name); base.Pool(layer, spans); }
        public override void Dense(GraphLayer layer, in LayerSpans spans) { Names.Add(layer.Name); base.Dense(layer, spans); }
        public override void Add(GraphLayer layer, in LayerSpans spans) { Names.Add(layer.Name); base.Add(layer, spans); }
        public override void LayerNorm(GraphLayer layer, in LayerSpans spans) { Names.Add(layer.Name); base.LayerNorm(layer, spans); }
        public override void Activate(GraphLayer layer, in LayerSpans spans) { Names.Add(layer.Name); base.Activate(layer, spans); }
        public override void BatchNorm2d(GraphLayer layer, in LayerSpans spans) { Names.Add(layer.Name); base.BatchNorm2d(layer, spans); }
    }
}

/// <summary>A backend written as the generated skeleton: it computes residual Adds itself, the CPU runs the rest.</summary>
[LayerBackend]
internal sealed partial class AddOffload
{
    public int Adds { get; private set; }

    partial void OnAdd(GraphLayer layer, in LayerSpans spans, ref bool handled)
    {
        for (int i = 0; i < spans.Output.Length; i++)
            spans.Output[i] = spans.Input[i] + spans.Input2[i];
        Adds++;
        handled = true;
    }
}
