using System.Globalization;
using FashionMnist;
using ModelGen;
using ModelGen.Quantization;

// Loads the PyTorch-trained Fashion-MNIST MLP in every precision, quantization and pruning configuration ModelGen
// offers, then the convolutional and residual models at fp32 and int8, evaluates each on the 10,000-image test set
// against its fp32 model, and prints accuracy, agreement, weight memory, speed, and where accuracy is lost (per-layer
// error). `--json`: one JSON object per configuration.
bool json = args.Contains("--json");
string dataDir = Path.Combine(AppContext.BaseDirectory, "data");
var test = FashionMnistData.Load(dataDir);
var calibrationImages = FashionMnistData.Load(dataDir, "train-1000");
string Weights(string file) => Path.Combine(dataDir, file);
string fp32File = Weights("fashion_mlp.safetensors");

using var reference = MlpFloat32.Load(fp32File);
var results = new List<EvaluationResult>
{
    Evaluation.Measure("fp32", reference, test, reference),
    Evaluation.Run<MlpFloat16>("fp16", Weights("fashion_mlp.f16.safetensors"), test, reference),
    Evaluation.Run<MlpBFloat16>("bf16", Weights("fashion_mlp.bf16.safetensors"), test, reference),
    Evaluation.Run<MlpInt8>("int8-dynamic", fp32File, test, reference),
};

// Static int8: calibrate the input scale of each layer on 1,000 training images (never on the test set).
var samples = Enumerable.Range(0, calibrationImages.Count)
    .Select(i => (ReadOnlyMemory<float>)calibrationImages.Images.AsMemory(i * FashionMnistData.Pixels, FashionMnistData.Pixels));
foreach (var method in new[] { CalibrationMethod.MinMax, CalibrationMethod.Percentile, CalibrationMethod.Entropy, CalibrationMethod.Mse })
{
    CalibrationResult calibration;
    using (var weights = File.OpenRead(fp32File))
    {
        calibration = DenseCalibration.Calibrate(weights, MlpInt8Static.Layers, samples, new CalibrationOptions(method));
    }

    results.Add(Evaluation.Run<MlpInt8Static>($"int8-static-{method.ToString().ToLowerInvariant()}", fp32File, test, reference,
        new LoadOptions { Calibration = calibration }));
}

results.Add(Evaluation.Run<MlpInt4G32>("int4-g32", fp32File, test, reference));
results.Add(Evaluation.Run<MlpInt4G64>("int4-g64", fp32File, test, reference));
results.Add(Evaluation.Run<MlpInt4G128>("int4-g128", fp32File, test, reference));
results.Add(Evaluation.Run<MlpCodebook16>("codebook-16", fp32File, test, reference));
results.Add(Evaluation.Run<MlpCodebook256>("codebook-256", fp32File, test, reference));
results.Add(Evaluation.Run<MlpSparse50>("sparse-50", fp32File, test, reference));
results.Add(Evaluation.Run<MlpSparse80>("sparse-80", fp32File, test, reference));
results.Add(Evaluation.Run<MlpSparse90>("sparse-90", fp32File, test, reference));
results.Add(Evaluation.Run<MlpTwoOfFour>("2of4", fp32File, test, reference));
results.Add(Evaluation.Run<MlpChannels50>("channels-50", fp32File, test, reference));
results.Add(Evaluation.Run<MlpInt8Sparse80>("int8-sparse-80", fp32File, test, reference));

// The convolutional and residual models (graph models), each int8 configuration against its own fp32 model.
using var cnn = CnnFloat32.Load(Weights("fashion_cnn.safetensors"));
results.Add(Evaluation.Measure("cnn-fp32", cnn, test, cnn));
results.Add(Evaluation.Run<CnnInt8>("cnn-int8", Weights("fashion_cnn.safetensors"), test, cnn));
using var resMlp = ResMlpFloat32.Load(Weights("fashion_resmlp.safetensors"));
results.Add(Evaluation.Measure("resmlp-fp32", resMlp, test, resMlp));
results.Add(Evaluation.Run<ResMlpInt8>("resmlp-int8", Weights("fashion_resmlp.safetensors"), test, resMlp));

// Static int8 graph models, calibrated on the same 1,000 training images with GraphCalibration.
foreach (var method in new[] { CalibrationMethod.MinMax, CalibrationMethod.Percentile, CalibrationMethod.Entropy, CalibrationMethod.Mse })
{
    string suffix = method.ToString().ToLowerInvariant();
    CalibrationResult cnnCalibration, resMlpCalibration;
    using (var weights = File.OpenRead(Weights("fashion_cnn.safetensors")))
    {
        cnnCalibration = GraphCalibration.Calibrate(weights, CnnInt8Static.Layers, samples, new CalibrationOptions(method));
    }

    using (var weights = File.OpenRead(Weights("fashion_resmlp.safetensors")))
    {
        resMlpCalibration = GraphCalibration.Calibrate(weights, ResMlpInt8Static.Layers, samples, new CalibrationOptions(method));
    }

    results.Add(Evaluation.Run<CnnInt8Static>($"cnn-int8-static-{suffix}", Weights("fashion_cnn.safetensors"), test, cnn,
        new LoadOptions { Calibration = cnnCalibration }));
    results.Add(Evaluation.Run<ResMlpInt8Static>($"resmlp-int8-static-{suffix}", Weights("fashion_resmlp.safetensors"), test, resMlp,
        new LoadOptions { Calibration = resMlpCalibration }));
}

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
    Console.WriteLine($"[{r.Config}] {r.MemoryReport}");
    Console.WriteLine(r.Accuracy);
    Console.WriteLine();
}

Console.WriteLine($"{"config",-30} {"top-1",7} {"agree fp32",11} {"weight bytes",13} {"% fp32",7} {"batch-1 us",11} {"batch-64 img/s",15}");
foreach (var r in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{r.Config,-30} {r.Top1,6:F2}% {r.AgreeFloat32,10:F2}% {r.WeightBytes,13:N0} {100.0 * r.WeightBytes / r.Float32WeightBytes,6:F1}% {r.Batch1Microseconds,11:F2} {r.Batch64ImagesPerSecond,15:N0}"));
}

// A global sparsity target: one magnitude threshold over both layers, resolved into the Sparsity each layer declares
// (layouts are compile-time constants, so the plan is made offline, like a calibration).
using (var weights = File.OpenRead(fp32File))
{
    Console.WriteLine();
    Console.WriteLine(GlobalSparsity.Plan(weights, MlpFloat32.Layers, 0.8));
}

// A quantized model saved in ModelGen's packed form reloads without quantizing again and gives the same logits.
using (var int4 = MlpInt4G32.Load(fp32File))
{
    string packed = Path.Combine(Path.GetTempPath(), $"fashion_mlp.int4.{Environment.ProcessId}.safetensors");
    int4.Save(packed);
    using var reloaded = MlpInt4G32.Load(packed);
    var a = new float[MlpInt4G32.OutputFeatures];
    var b = new float[MlpInt4G32.OutputFeatures];
    int4.Forward(test.Images.AsSpan(0, MlpInt4G32.InputFeatures), a, 1);
    reloaded.Forward(test.Images.AsSpan(0, MlpInt4G32.InputFeatures), b, 1);
    Console.WriteLine();
    Console.WriteLine($"int4-g32 packed file: {new FileInfo(packed).Length:N0} bytes (fp32 file {new FileInfo(fp32File).Length:N0}); reloaded logits identical: {a.AsSpan().SequenceEqual(b)}");
    File.Delete(packed);
}
