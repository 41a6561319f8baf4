using System.Globalization;
using FashionMnist;
using ModelGen;
using ModelGen.Bench;
using ModelGen.Kernels;

// ModelGen vs ONNX Runtime vs System.Numerics.Tensors on the Fashion-MNIST MLP, plus 4096x4096 GEMV vs bandwidth.
// One thread everywhere. Prints a table and `RESULT ...` lines for scripts.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
bool quick = args.Contains("quick");
if (args.Contains("int8-static"))
{
    // Only the static-vs-dynamic int8 comparison: `bench/run int8-static [quick]`.
    Int8StaticBench.Run(quick);
    return;
}

if (args.Contains("int4-small"))
{
    // int4 on the sample's cache-resident layer shapes and batch 64 against int8: `bench/run int4-small [quick]`.
    Int4SmallBench.Run(quick);
    return;
}

if (args.Contains("gemv-only"))
{
    // The 4096 x 4096 int4 GEMV (g32, g64, g128) against the int8 one from memory, alternating rounds: `bench/run gemv-only [quick]`.
    GemvBench.Int4Rounds(quick);
    return;
}

if (args.Contains("sparse-sweep"))
{
    // fp32 unstructured against dense over sparsities 0.5-0.95 (the cost rule's thresholds): `bench/run sparse-sweep [quick]`.
    SparseBench.Sweep(quick);
    return;
}

if (args.Contains("sparse-only"))
{
    SparseBlock();
    return;
}

if (args.Contains("graph-conv"))
{
    // The graph backend's int8 GEMM convolution against its fp32 one: `bench/run graph-conv [quick]`.
    GraphConvBench.Run(quick);
    return;
}

if (args.Contains("conv"))
{
    // Convolution kernels only (bench/run conv): no model files or ONNX peers needed.
    ConvBench.Run(quick);
    return;
}

if (args.Contains("threads"))
{
    // ParallelForward on fashion_mlp fp32 and int8, batch 64, one thread against two: `bench/run threads [quick]`.
    ThreadsBench.Run(quick);
    return;
}

if (args is ["graph-profile", var which, var profileWeights, ..])
{
    // Per-layer times of one graph model at batch 1: `bench/run graph-profile cnn|cnn8|mnv2|mnv28 WEIGHTS [RUNS]`
    // (more runs average out a shared machine's noise).
    GraphProfile.Run(which, profileWeights, runs: args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 50);
    return;
}

string dataDir = Path.Combine(AppContext.BaseDirectory, "data");
string onnxDir = Environment.GetEnvironmentVariable("MODELGEN_ONNX_DIR")
    ?? FindUp("shared/data/reference-models") ?? "";
if (args.Contains("graph"))
{
    // The graph models (cnn, resmlp, MobileNetV2) against ONNX Runtime, and MobileNetV2's peak memory: `bench/run graph [quick]`.
    GraphBench.Run(onnxDir, dataDir, quick);
    return;
}

var test = FashionMnistData.Load(dataDir);

Console.WriteLine($"ModelGen bench ({(quick ? "quick" : "full")}): {Environment.ProcessorCount} cores, kernel path {KernelPaths.Best}, one thread, .NET {Environment.Version}");
Console.WriteLine($"ONNX files: {(Directory.Exists(onnxDir) ? onnxDir : "not found: ONNX Runtime peers skipped")}");

var rows = new List<(string Key, double ModelGenUs, string Peer, double PeerUs)>();
foreach (int batch in new[] { 1, 64 })
{
    var input = test.Images.AsSpan(0, batch * FashionMnistData.Pixels).ToArray();
    var fp32 = Time<MlpFloat32>("fashion_mlp.safetensors", input, batch);
    var fp16 = Time<MlpFloat16>("fashion_mlp.f16.safetensors", input, batch);
    var bf16 = Time<MlpBFloat16>("fashion_mlp.bf16.safetensors", input, batch);
    var int8 = Time<MlpInt8>("fashion_mlp.safetensors", input, batch);

    var peers = new List<(string Name, double Us)> { ("tensorprimitives", TimeTensorPrimitives(input, batch)) };
    foreach (var (name, file) in new[] { ("ort-fp32", "fashion_mlp.onnx"), ("ort-int8-qdq", "fashion_mlp.int8-qdq.onnx"), ("ort-int8-dynamic", "fashion_mlp.int8-dynamic.onnx") })
    {
        string path = Path.Combine(onnxDir, file);
        if (File.Exists(path))
        {
            using var ort = new OrtPeer(path, batch, [FashionMnistData.Pixels], 10, input);
            peers.Add((name, Timing.MedianMicroseconds(ort.Run, quick)));
        }
    }

    foreach (var (precision, us) in new[] { ("fp32", fp32), ("fp16", fp16), ("bf16", bf16), ("int8", int8) })
    {
        foreach (var (peer, peerUs) in peers)
        {
            rows.Add(($"mlp.{precision}.b{batch}.t1", us, peer, peerUs));
        }
    }
}

Console.WriteLine();
Console.WriteLine($"{"measurement",-22} {"ModelGen us",12} {"peer",-18} {"peer us",10} {"peer/ModelGen",14}");
foreach (var r in rows)
{
    Console.WriteLine($"{r.Key,-22} {r.ModelGenUs,12:F2} {r.Peer,-18} {r.PeerUs,10:F2} {r.PeerUs / r.ModelGenUs,13:F2}x");
}

var gemv = new List<(string Precision, double KernelUs, double StreamUs)>();
var (f32Us, f32Stream) = GemvBench.Float32(quick);
gemv.Add(("fp32", f32Us, f32Stream));
var (i8Us, i8Stream) = GemvBench.Int8(quick);
gemv.Add(("int8", i8Us, i8Stream));
Console.WriteLine();
Console.WriteLine($"{"gemv 4096x4096 b1",-22} {"kernel us",12} {"stream read us",15} {"fraction",9} {"GB/s",8}");
foreach (var g in gemv)
{
    double bytes = 4096.0 * 4096 * (g.Precision == "fp32" ? 4 : 1);
    Console.WriteLine($"{g.Precision,-22} {g.KernelUs,12:F1} {g.StreamUs,15:F1} {g.StreamUs / g.KernelUs,9:F3} {bytes / g.KernelUs / 1000,8:F1}");
}

// Codebook (k-means, per-row fp16 codebook) GEMV against the fp32 and int8 GEMV above, same run.
var codebook = new List<(string Name, double Us)>();
foreach (int centroids in new[] { 16, 256 })
{
    codebook.Add(($"codebook{centroids}", CodebookBench.Gemv(centroids, quick)));
}

Console.WriteLine();
Console.WriteLine($"{"gemv 4096x4096 b1",-22} {"kernel us",12} {"vs fp32",9} {"vs int8",9}");
foreach (var (name, us) in codebook)
{
    Console.WriteLine($"{name,-22} {us,12:F1} {f32Us / us,8:F2}x {i8Us / us,8:F2}x");
}

var (forwardUs, kernelsUs) = OverheadBench.Measure(quick);
Console.WriteLine();
Console.WriteLine($"generated Forward overhead (16->16->16 fp32, batch 1): Forward {forwardUs * 1000:F0} ns, the two kernel calls alone {kernelsUs * 1000:F0} ns");

Console.WriteLine();
foreach (var r in rows)
{
    Console.WriteLine($"RESULT {r.Key} modelgen_us={r.ModelGenUs:F3} peer={r.Peer} peer_us={r.PeerUs:F3} ratio={r.PeerUs / r.ModelGenUs:F3}");
}

foreach (var g in gemv)
{
    Console.WriteLine($"RESULT gemv4096.{g.Precision} modelgen_us={g.KernelUs:F1} bandwidth_fraction={g.StreamUs / g.KernelUs:F3}");
}

// int4 GEMV (group 32, symmetric) against the int8 GEMV measured above, and the fp32-dequantizing alternative.
{
    var (i4Us, i4Stream) = GemvBench.Int4(quick);
    var (i4FloatUs, _) = System.Runtime.Intrinsics.X86.Avx2.IsSupported ? GemvBench.Int4DequantizeToFloat(quick) : (double.NaN, 0);
    Console.WriteLine($"gemv 4096x4096 b1 int4 g32: kernel {i4Us:F1} us (dequantize-to-fp32 variant {i4FloatUs:F1} us), stream read {i4Stream:F1} us, int8 {i8Us:F1} us");
    // The ratio from alternating rounds: this machine's memory bandwidth drifts between separate measurements.
    var (pairedInt8Us, pairedInt4Us) = GemvBench.Int4AgainstInt8(quick, 32);
    Console.WriteLine($"gemv 4096x4096 b1 int4 g32 against int8, alternating rounds: {pairedInt4Us:F1} us vs {pairedInt8Us:F1} us");
    Console.WriteLine($"RESULT gemv4096.int4 modelgen_us={i4Us:F1} bandwidth_fraction={i4Stream / i4Us:F3}");
    Console.WriteLine($"RESULT gemv4096.int4_vs_int8 speedup={pairedInt8Us / pairedInt4Us:F3} int4_us={pairedInt4Us:F1} int8_us={pairedInt8Us:F1}");
}

foreach (var (name, us) in codebook)
{
    Console.WriteLine($"RESULT gemv4096.{name} modelgen_us={us:F1} vs_fp32={f32Us / us:F3} vs_int8={i8Us / us:F3}");
}

Console.WriteLine($"RESULT overhead.tiny.b1 forward_ns={forwardUs * 1000:F0} kernels_ns={kernelsUs * 1000:F0}");

SparseBlock();
GraphBench.Run(onnxDir, dataDir, quick);

// Sparse weights (bench/ModelGen.Bench/SparseBench.cs): batch-1 pruned layers against the dense kernel of the same
// value type in the same run; 4096 x 4096 from main memory gives the RESULT lines, 784 x 256 (cache-resident) a table.
void SparseBlock()
{
    var fromMemory = SparseBench.Run(4096, 4096, fromMemory: true, quick);
    var cached = SparseBench.Run(256, 784, fromMemory: false, quick);
    Console.WriteLine();
    Console.WriteLine($"{"sparse b1",-30} {"dense us",10} {"sparse us",10} {"speedup",8} {"bytes",7}");
    foreach (var r in fromMemory.Concat(cached))
    {
        Console.WriteLine($"{$"{r.Name} {r.K}x{r.N}",-30} {r.DenseUs,10:F1} {r.SparseUs,10:F1} {r.Speedup,7:F2}x {r.BytesFraction,7:F3}");
    }

    foreach (var r in fromMemory)
    {
        Console.WriteLine($"RESULT {r.Name}.b1 speedup={r.Speedup:F3} bytes_fraction={r.BytesFraction:F3}");
    }
}

double Time<TModel>(string weights, float[] input, int batch) where TModel : IModel<TModel>
{
    using var stream = File.OpenRead(Path.Combine(dataDir, weights));
    using var model = TModel.Load(stream);
    var output = new float[batch * model.OutputFeatures];
    return Timing.MedianMicroseconds(() => model.Forward(input, output, batch), quick);
}

double TimeTensorPrimitives(float[] input, int batch)
{
    using var stream = File.OpenRead(Path.Combine(dataDir, "fashion_mlp.safetensors"));
    using var file = ModelGen.IO.SafeTensorsFile.Open(stream);
    var mlp = new TensorPrimitivesMlp(file.ReadFloat32("hidden.weight"), file.ReadFloat32("hidden.bias"),
        file.ReadFloat32("output.weight"), file.ReadFloat32("output.bias"), batch);
    var output = new float[batch * 10];
    return Timing.MedianMicroseconds(() => mlp.Forward(input, output, batch), quick);
}

static string? FindUp(string relative)
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        string candidate = Path.Combine(dir.FullName, relative);
        if (Directory.Exists(candidate))
        {
            return candidate;
        }
    }

    return null;
}
