using System.Globalization;
using MobileNetV2;
using ModelGen.Bench;

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
        using (var peer = new OrtPeer(file, 1, [3, 224, 224], 1000, input, threads: 1))
            for (int i = 0; i < 10; i++)
                peer.Run();
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
