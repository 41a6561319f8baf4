using System.Globalization;
using MobileNetV2;
using ModelGen;
using ModelGen.IO;
using ModelGen.Quantization;

// Loads torchvision's MobileNetV2 from its PyTorch state_dict (safetensors) at fp32 and int8, checks the fp32 logits
// against PyTorch's on the 8 reference images, reports int8's agreement with fp32, the memory plan and batch-1 latency.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string? dir = ReferenceFiles.Find(args);
if (dir is null)
{
    Console.WriteLine($"MobileNetV2 needs {ReferenceFiles.Weights} and {ReferenceFiles.Reference}: pass their folder, or keep "
        + "shared/data/reference-models next to the repository.");
    return 2;
}

float[] input, expected;
using (var reference = SafeTensorsFile.Open(Path.Combine(dir, ReferenceFiles.Reference)))
{
    input = reference.ReadFloat32("input");
    expected = reference.ReadFloat32("logits");
}

int images = expected.Length / MobileNetV2Float32.OutputFeatures;
string weights = Path.Combine(dir, ReferenceFiles.Weights);
using var fp32 = MobileNetV2Float32.Load(weights);
using var int8 = MobileNetV2Int8.Load(weights);
var fp32Logits = new float[expected.Length];
var int8Logits = new float[expected.Length];
fp32.Forward(input, fp32Logits, images);
int8.Forward(input, int8Logits, images);

Console.WriteLine($"MobileNetV2 on {images} reference images (kernel path {ModelGen.Kernels.KernelPaths.Best})");
Console.WriteLine($"  fp32 vs PyTorch: max |diff| {Logits.MaxAbsDiff(fp32Logits, expected):E2}, relative {Logits.RelativeError(fp32Logits, expected):E2}, "
    + $"top-1 agreement {Logits.Top1Agreement(fp32Logits, expected, images)}/{images}");
Console.WriteLine($"  int8 vs fp32:    max |diff| {Logits.MaxAbsDiff(int8Logits, fp32Logits):E2}, relative {Logits.RelativeError(int8Logits, fp32Logits):E2}, "
    + $"top-1 agreement {Logits.Top1Agreement(int8Logits, fp32Logits, images)}/{images}");

// Where int8 loses accuracy: each layer's output against the fp32 model's (labels: PyTorch's top-1).
var labels = Enumerable.Range(0, images).Select(i => ModelEvaluation.ArgMax(expected.AsSpan(i * 1000, 1000))).ToArray();
var report = ModelEvaluation.Evaluate(int8, fp32, input, labels);
Console.WriteLine("  int8 layers with the lowest SNR against fp32: "
    + string.Join(", ", report.Layers.OrderBy(static l => l.SnrDb).Take(6).Select(static l => $"{l.Name} {l.SnrDb:F1} dB")));
Console.WriteLine($"  int8 first and last layers: {report.Layers[0].Name} {report.Layers[0].SnrDb:F1} dB, {report.Layers[^1].Name} {report.Layers[^1].SnrDb:F1} dB");
Console.WriteLine();
foreach (var memory in new[] { MobileNetV2Float32.Memory, MobileNetV2Int8.Memory })
{
    var plan = memory.Plan!;
    Console.WriteLine($"{memory.ModelName}: weights {memory.WeightBytes:N0} bytes ({100.0 * memory.WeightBytes / memory.Float32WeightBytes:F1}% of fp32 {memory.Float32WeightBytes:N0}); "
        + $"activations per image: planned {plan.PeakBytesPerSample:N0}, naive {plan.NaiveBytesPerSample:N0}, lower bound {plan.LowerBoundBytesPerSample:N0} "
        + $"(peak / lower bound {plan.PeakOverLowerBound:F3}), fixed scratch {plan.FixedScratchBytes:N0}");
}
Console.WriteLine();
Console.WriteLine($"batch-1 latency: fp32 {Latency.Milliseconds(fp32, input):F2} ms, int8 {Latency.Milliseconds(int8, input):F2} ms (one thread)");
return 0;
