using System.Diagnostics;
using System.Globalization;

namespace ModelGen.Bench;

/// <summary>
/// Runs bench/ModelGen.MemoryProbe (one engine on MobileNetV2 in a process of its own) and reads the peak RSS it
/// prints. Two harnesses: the probe under the JIT (the .NET runtime's own ~30 MiB floor in every process) and the
/// probe compiled with NativeAOT (a ~5 MiB floor), the way a memory-constrained deployment ships. Both engines always
/// run in the same harness; <c>bench/run</c> builds the JIT probe and, on linux-x64, publishes the NativeAOT one.
/// </summary>
public sealed class MemoryProbe
{
    private readonly string _fileName;
    private readonly string[] _prefixArguments;

    private MemoryProbe(string name, string resultSuffix, string fileName, params string[] prefixArguments)
    {
        Name = name;
        ResultSuffix = resultSuffix;
        _fileName = fileName;
        _prefixArguments = prefixArguments;
    }

    /// <summary>"nativeaot" or "jit".</summary>
    public string Name { get; }

    /// <summary>What the harness adds to the RESULT key: nothing for NativeAOT, ".jit" for the JIT.</summary>
    public string ResultSuffix { get; }

    /// <summary>The harnesses whose probe is built, NativeAOT first.</summary>
    public static IEnumerable<MemoryProbe> Harnesses()
    {
        string? probeDir = null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null && probeDir is null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "bench", "ModelGen.MemoryProbe", "bin");
            if (Directory.Exists(candidate)) probeDir = candidate;
        }

        if (probeDir is null)
        {
            Console.WriteLine("bench/ModelGen.MemoryProbe is not built: peak RSS skipped (bench/run builds it)");
            yield break;
        }

        string aot = Path.Combine(probeDir, "aot", "ModelGen.MemoryProbe");
        if (File.Exists(aot))
            yield return new MemoryProbe("nativeaot", "", aot);
        else
            Console.WriteLine($"{aot} not published (NativeAOT needs linux-x64): NativeAOT peak RSS skipped");
        string jit = Path.Combine(probeDir, "Release", "net10.0", "ModelGen.MemoryProbe.dll");
        if (File.Exists(jit))
            yield return new MemoryProbe("jit", ".jit", "dotnet", jit);
    }

    /// <summary>The VmHWM (KiB) of a fresh process running <paramref name="engine"/> on <paramref name="file"/>.</summary>
    public long PeakRssKib(string engine, string file)
    {
        var start = new ProcessStartInfo(_fileName, [.. _prefixArguments, engine, file]) { RedirectStandardOutput = true };
        using var child = Process.Start(start)!;
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
            throw new InvalidOperationException($"{_fileName} {engine} exited with {child.ExitCode}: {output}");
        var line = output.Split('\n').Single(l => l.StartsWith("VmHWM ", StringComparison.Ordinal));
        return long.Parse(line["VmHWM ".Length..], CultureInfo.InvariantCulture);
    }
}
