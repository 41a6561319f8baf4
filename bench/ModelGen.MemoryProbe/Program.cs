using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using MobileNetV2;

// One engine runs MobileNetV2 at batch 1 ten times; the process then prints its peak RSS ("VmHWM <kB>").
//   ModelGen.MemoryProbe baseline|modelgen-int8|modelgen-fp32|ort-fp32 FILE
// GraphBench starts it twice per engine: under the JIT (`dotnet ModelGen.MemoryProbe.dll`) and as the NativeAOT
// executable, each in a process of its own.
if (args is not [var engine, var file])
{
    Console.Error.WriteLine("usage: ModelGen.MemoryProbe baseline|modelgen-int8|modelgen-fp32|ort-fp32 FILE");
    return 2;
}

var input = new float[3 * 224 * 224];
for (int i = 0; i < input.Length; i++)
    input[i] = (i % 255) / 255f;
var output = new float[1000];
switch (engine)
{
    case "baseline":
        break; // Nothing loaded: the floor every engine's process shares.
    case "ort-fp32":
        RunOrt(file, input, output);
        break;
    case "modelgen-fp32":
        using (var model = MobileNetV2Float32.Load(file))
            for (int i = 0; i < 10; i++)
                model.Forward(input, output, 1);
        break;
    case "modelgen-int8":
        using (var model = MobileNetV2Int8.Load(file))
            for (int i = 0; i < 10; i++)
                model.Forward(input, output, 1);
        break;
    default:
        Console.Error.WriteLine($"unknown engine '{engine}'");
        return 2;
}

foreach (var line in File.ReadLines("/proc/self/status"))
    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
        Console.WriteLine($"VmHWM {long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture)}");
return 0;

// ONNX Runtime as the bench's OrtPeer runs it: one thread, all graph optimizations, tensors over our arrays.
static void RunOrt(string onnx, float[] input, float[] output)
{
    using var options = new SessionOptions
    {
        IntraOpNumThreads = 1,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };
    options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
    using var session = new InferenceSession(onnx, options);
    using var runOptions = new RunOptions();
    using var x = OrtValue.CreateTensorValueFromMemory(input, [1, 3, 224, 224]);
    using var y = OrtValue.CreateTensorValueFromMemory(output, [1, 1000]);
    string[] inputNames = [session.InputMetadata.Keys.Single()], outputNames = [session.OutputMetadata.Keys.Single()];
    for (int i = 0; i < 10; i++)
        session.Run(runOptions, inputNames, [x], outputNames, [y]);
}
