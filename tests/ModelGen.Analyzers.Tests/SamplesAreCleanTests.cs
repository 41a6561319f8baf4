using System.Collections.Immutable;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using ModelGen.Generators;

namespace ModelGen.Analyzers.Tests;

/// <summary>
/// The samples compiled as their projects would be (all their .cs files, implicit usings, the generator's output) and
/// run through every ModelGen analyzer: the real samples report no warning or error (informational rules such as the
/// MG0011 memory report are allowed), and samples/AnalyzerShowcase reports exactly the rules it promises.
/// </summary>
public sealed class SamplesAreCleanTests
{
    private const string Showcase = "AnalyzerShowcase";

    // MG0006 joins this list, with its file in the showcase, when that rule lands.
    private static readonly string[] s_showcasedRules =
        ["MG0001", "MG0002", "MG0003", "MG0004", "MG0005", "MG0006", "MG0007", "MG0008", "MG0009", "MG0010", "MG0011", "MG0012", "MG0013", "MG0014"];

    // What Microsoft.NET.Sdk's ImplicitUsings adds to a console project.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    public static TheoryData<string> Samples => new(Directory.GetDirectories(Path.Combine(RepoRoot(), "samples"))
        .Select(Path.GetFileName).Where(name => name != Showcase).Select(name => name!));

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task SampleHasNoModelGenWarningOrError(string sample)
    {
        var diagnostics = await AnalyzeSampleAsync(sample, new Dictionary<string, string>());

        var problems = diagnostics.Where(d => d.Severity > DiagnosticSeverity.Info).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task ShowcaseReportsExactlyTheRulesItPromises()
    {
        var options = GlobalConfigValues(Path.Combine(RepoRoot(), "samples", Showcase, "aot-settings.globalconfig"));
        var diagnostics = await AnalyzeSampleAsync(Showcase, options);

        Assert.Equal(s_showcasedRules, diagnostics.Select(d => d.Id).Distinct().Order());
    }

    // Compiles the sample's sources with the generator, asserts the compiler is satisfied (analyzers on a broken
    // compilation prove nothing), and returns every ModelGen analyzer's diagnostics.
    private static async Task<ImmutableArray<Diagnostic>> AnalyzeSampleAsync(string sample, IReadOnlyDictionary<string, string> options)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var folder = Path.Combine(RepoRoot(), "samples", sample);
        var trees = Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(file => CSharpSyntaxTree.ParseText(File.ReadAllText(file), parseOptions, file, cancellationToken: cancellationToken))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, parseOptions, "GlobalUsings.g.cs", cancellationToken: cancellationToken))
            .ToList();
        Assert.True(trees.Count > 1, $"samples/{sample} has no sources.");

        var compilation = CSharpCompilation.Create(
            sample,
            trees,
            [.. Net100.References.All, MetadataReference.CreateFromFile(typeof(ModelAttribute).Assembly.Location)],
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        CSharpGeneratorDriver.Create([new ModelGenerator().AsSourceGenerator()], parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var generated, out _, cancellationToken);
        var compilerErrors = generated.GetDiagnostics(cancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(compilerErrors.Count == 0, string.Join("\n", compilerErrors));

        var exceptions = new List<Exception>();
        var diagnostics = await generated
            .WithAnalyzers(AnalyzerHarness.All, new CompilationWithAnalyzersOptions(
                new AnalyzerOptions([], new TestConfigOptions(options)), (exception, _, _) => exceptions.Add(exception),
                concurrentAnalysis: true, logAnalyzerExecutionTime: false))
            .GetAnalyzerDiagnosticsAsync(cancellationToken);
        Assert.Empty(exceptions);
        return diagnostics;
    }

    // key = value lines of a global analyzer config (section headers, comments and is_global/global_level skipped).
    private static Dictionary<string, string> GlobalConfigValues(string path) =>
        File.ReadLines(path)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && line[0] is not ('#' or ';' or '[') && line.Contains('='))
            .Select(line => line.Split('=', 2))
            .Where(pair => pair[0].Trim() is not ("is_global" or "global_level"))
            .ToDictionary(pair => pair[0].Trim(), pair => pair[1].Trim());

    private static string RepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ModelGen.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No ModelGen.sln above {AppContext.BaseDirectory}.");
    }
}
