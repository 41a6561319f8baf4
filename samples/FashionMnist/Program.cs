using System.Globalization;
using FashionMnist;
using ModelGen;

// Loads the PyTorch-trained Fashion-MNIST MLP at fp32, fp16, bf16 and int8, evaluates the 10,000-image test set,
// and prints accuracy, agreement with fp32, memory and speed. `--json`: one JSON object per configuration.
bool json = args.Contains("--json");
string dataDir = Path.Combine(AppContext.BaseDirectory, "data");
var test = FashionMnistData.Load(dataDir);
string Weights(string file) => Path.Combine(dataDir, file);

var fp32 = Evaluation.Run<MlpFloat32>("fp32", Weights("fashion_mlp.safetensors"), test, reference: null);
var results = new List<EvaluationResult>
{
    fp32,
    Evaluation.Run<MlpFloat16>("fp16", Weights("fashion_mlp.f16.safetensors"), test, fp32.Predictions),
    Evaluation.Run<MlpBFloat16>("bf16", Weights("fashion_mlp.bf16.safetensors"), test, fp32.Predictions),
    Evaluation.Run<MlpInt8>("int8-dynamic", Weights("fashion_mlp.safetensors"), test, fp32.Predictions),
};

if (json)
{
    foreach (var r in results)
    {
        Console.WriteLine(r.ToJson());
    }

    return;
}

Console.WriteLine($"Fashion-MNIST test set: {test.Count:N0} images; kernel path: {ModelGen.Kernels.KernelPaths.Best}; {Environment.ProcessorCount} cores, 1 thread");
Console.WriteLine();
foreach (var r in results)
{
    Console.WriteLine(r.MemoryReport);
    Console.WriteLine();
}

Console.WriteLine($"{"config",-14} {"top-1",7} {"agree fp32",11} {"weight bytes",13} {"% fp32",7} {"batch-1 us",11} {"batch-64 img/s",15}");
foreach (var r in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{r.Config,-14} {r.Top1,6:F2}% {r.AgreeFloat32,10:F2}% {r.WeightBytes,13:N0} {100.0 * r.WeightBytes / r.Float32WeightBytes,6:F1}% {r.Batch1Microseconds,11:F2} {r.Batch64ImagesPerSecond,15:N0}"));
}

// The int8 model saved in ModelGen's packed form reloads without requantizing and gives the same logits.
using (var int8 = MlpInt8.Load(Weights("fashion_mlp.safetensors")))
{
    string packed = Path.Combine(Path.GetTempPath(), $"fashion_mlp.int8.{Environment.ProcessId}.safetensors");
    int8.Save(packed);
    using var reloaded = MlpInt8.Load(packed);
    var a = new float[MlpInt8.OutputFeatures];
    var b = new float[MlpInt8.OutputFeatures];
    int8.Forward(test.Images.AsSpan(0, MlpInt8.InputFeatures), a, 1);
    reloaded.Forward(test.Images.AsSpan(0, MlpInt8.InputFeatures), b, 1);
    Console.WriteLine();
    Console.WriteLine($"int8 packed file: {new FileInfo(packed).Length:N0} bytes (fp32 file {new FileInfo(Weights("fashion_mlp.safetensors")).Length:N0}); reloaded logits identical: {a.AsSpan().SequenceEqual(b)}");
    File.Delete(packed);
}
