using ModelGen.Graph;
using ModelGen.IO;
using ModelGen.Tests.EndToEnd;

namespace ModelGen.Tests.Graph;

/// <summary>The PyTorch reference models run as graph plans: fp32 against PyTorch's logits, int8 against fp32.</summary>
public class ReferenceModelTests(ITestOutputHelper output)
{
    private const int Classes = 10;

    internal static BuiltPlan FashionCnn(Precision precision)
    {
        var b = new PlanBuilder(1, 28, 28);
        b.Conv("conv1", 16, 3, padding: 1, precision: precision, batchNorm: "bn1");
        b.Act(Activation.Relu);
        b.MaxPool(2);
        b.Conv("conv2", 32, 3, padding: 1, precision: precision, batchNorm: "bn2");
        b.Act(Activation.Relu);
        b.MaxPool(2);
        b.Flatten();
        b.Dense("fc1", 128, precision);
        b.Act(Activation.Relu);
        b.Dense("fc2", 10, precision);
        return b.Build();
    }

    internal static BuiltPlan FashionResMlp(Precision precision)
    {
        var b = new PlanBuilder(784);
        int inp = b.Dense("inp", 128, precision);
        b.LayerNorm("norm");
        b.Dense("fc_a", 256, precision);
        b.Act(Activation.Gelu);
        int fcB = b.Dense("fc_b", 128, precision);
        b.Residual(fcB, inp);
        b.LayerNorm("norm_out");
        b.Dense("out", 10, precision);
        return b.Build();
    }

    internal static BuiltPlan MobileNetV2(Precision precision)
    {
        var b = new PlanBuilder(3, 224, 224);
        b.Conv("features.0.0", 32, 3, stride: 2, padding: 1, precision: precision, bias: false, batchNorm: "features.0.1");
        b.Act(Activation.Relu6);
        int channels = 32, index = 1;
        foreach ((int t, int c, int n, int s) in new[] { (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1) })
            for (int i = 0; i < n; i++, index++)
            {
                int stride = i == 0 ? s : 1, input = b.Last, hidden = channels * t, next = 0;
                string p = $"features.{index}.conv";
                if (t != 1)
                {
                    b.Conv($"{p}.0.0", hidden, 1, precision: precision, bias: false, batchNorm: $"{p}.0.1");
                    b.Act(Activation.Relu6);
                    next = 1;
                }
                b.Conv($"{p}.{next}.0", hidden, 3, stride, 1, groups: hidden, precision: precision, bias: false, batchNorm: $"{p}.{next}.1");
                b.Act(Activation.Relu6);
                b.Conv($"{p}.{next + 1}", c, 1, precision: precision, bias: false, batchNorm: $"{p}.{next + 2}");
                if (stride == 1 && channels == c) b.Residual(b.Last, input);
                channels = c;
            }
        b.Conv("features.18.0", 1280, 1, precision: precision, bias: false, batchNorm: "features.18.1");
        b.Act(Activation.Relu6);
        b.GlobalAvgPool();
        b.Flatten();
        b.Dropout();
        b.Dense("classifier.1", 1000, precision);
        return b.Build();
    }

    private static (float[] Input, float[] Logits) Reference(string path)
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        return (file.ReadFloat32("input"), file.ReadFloat32("logits"));
    }

    private static float[] RunAll(BuiltPlan plan, string weightsPath, float[] input, int chunk)
    {
        using var stream = File.OpenRead(weightsPath);
        using NativeBlock weights = GraphModelIO.Load(stream, "reference", plan.Layers, plan.WeightBytes, null);
        int count = input.Length / plan.InputSize;
        var logits = new float[count * plan.OutputSize];
        for (int start = 0; start < count; start += chunk)
        {
            int batch = Math.Min(chunk, count - start);
            GraphHarness.Run(plan, weights, input[(start * plan.InputSize)..((start + batch) * plan.InputSize)], batch)
                .CopyTo(logits, start * plan.OutputSize);
        }
        return logits;
    }

    private static int[] Top1(float[] logits, int classes) =>
        [.. Enumerable.Range(0, logits.Length / classes).Select(i =>
        {
            var row = logits.AsSpan(i * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++) best = row[c] > row[best] ? c : best;
            return best;
        })];

    private static double MaxAbsDiff(float[] a, float[] b) => a.Zip(b).Max(p => Math.Abs((double)p.First - p.Second));

    [Theory]
    [InlineData("fashion_cnn")]
    [InlineData("fashion_resmlp")]
    public void Fp32MatchesPyTorchAndInt8AgreesWithIt(string model)
    {
        (float[] input, float[] reference) = Reference(ReferenceData.ModelPath(model + ".reference.safetensors"));
        string weights = ReferenceData.ModelPath(model + ".safetensors");
        Func<Precision, BuiltPlan> plan = model == "fashion_cnn" ? FashionCnn : FashionResMlp;

        float[] fp32 = RunAll(plan(Precision.Float32), weights, input, 64);
        double maxDiff = MaxAbsDiff(fp32, reference);
        output.WriteLine($"{model} fp32: max |logit - PyTorch| = {maxDiff:E2}");
        Assert.True(maxDiff <= 1e-4, $"{model} fp32 max |diff| {maxDiff}");
        Assert.Equal(Top1(reference, Classes), Top1(fp32, Classes));

        float[] int8 = RunAll(plan(Precision.Int8), weights, input, 64);
        double agreement = ReferenceData.Agreement(Top1(int8, Classes), Top1(fp32, Classes));
        output.WriteLine($"{model} int8: top-1 agreement with fp32 {agreement:P2} ({agreement * 256:F0}/256), max |logit diff| {MaxAbsDiff(int8, fp32):F4}");
        Assert.True(agreement >= 0.99, $"{model} int8 top-1 agreement {agreement:P2}");
    }

    [Fact]
    public void MobileNetV2MatchesPyTorch()
    {
        string? weights = SharedReferenceModels.Find("mobilenet_v2.safetensors"), reference = SharedReferenceModels.Find("mobilenet_v2.reference.safetensors");
        if (weights is null || reference is null)
            Assert.Skip("../shared/data/reference-models/mobilenet_v2*.safetensors is not on this machine (the weights are not shipped in data/).");
        (float[] input, float[] expected) = Reference(reference);

        BuiltPlan fp32Plan = MobileNetV2(Precision.Float32);
        // Every weight of the file is used (IgnoreExtraTensors is off): the names follow torchvision's.
        float[] fp32 = RunAll(fp32Plan, weights, input, 2);
        double relative = MaxAbsDiff(fp32, expected) / expected.Max(v => Math.Abs((double)v));
        output.WriteLine($"mobilenet_v2 fp32: max |diff| / max |ref| = {relative:E2}; activation block {fp32Plan.Plan.BlockBytes(2) / 1e6:F1} MB at batch 2");
        Assert.True(relative <= 1e-4, $"MobileNetV2 fp32 relative error {relative}");
        Assert.Equal(Top1(expected, 1000), Top1(fp32, 1000));

        float[] int8 = RunAll(MobileNetV2(Precision.Int8), weights, input, 2);
        double agreement = ReferenceData.Agreement(Top1(int8, 1000), Top1(fp32, 1000));
        double int8Relative = MaxAbsDiff(int8, fp32) / fp32.Max(v => Math.Abs((double)v));
        output.WriteLine($"mobilenet_v2 int8: top-1 agreement with fp32 {agreement:P0} ({agreement * 8:F0}/8), max |diff| / max |fp32| = {int8Relative:F3}");
    }
}
