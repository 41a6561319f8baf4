using System.Collections.Immutable;
using System.Text;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Generators;

namespace ModelGen.Analyzers.Tests;

/// <summary>
/// Compiles a source against .NET 10 and the ModelGen runtime, runs the generator (as a build would), then the
/// analyzer. Expected diagnostics are marked in the source as <c>{|MG0001:text|}</c>.
/// </summary>
internal static class AnalyzerHarness
{
    private static readonly CSharpParseOptions s_parseOptions = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> s_references =
    [
        .. Net100.References.All,
        MetadataReference.CreateFromFile(typeof(ModelAttribute).Assembly.Location),
    ];

    /// <summary>Every ModelGen analyzer.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> All { get; } =
        [
            new ModelDeclarationAnalyzer(), new ModelMemoryAnalyzer(), new OversizedBatchAnalyzer(), new SlowPathAnalyzer(),
            new UndisposedModelAnalyzer(), new HotLoopAllocationAnalyzer(), new UnalignedBufferAnalyzer(),
        ];

    /// <summary>
    /// The analyzers' diagnostics and the compilation they ran on (generator output included). <paramref name="options"/>
    /// stand for .editorconfig and MSBuild values (e.g. <c>modelgen_memory_budget</c>).
    /// </summary>
    public static async Task<(ImmutableArray<Diagnostic> Diagnostics, Compilation Compilation)> AnalyzeAsync(
        string source, IReadOnlyDictionary<string, string>? options = null)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var compilation = CSharpCompilation.Create(
            "AnalyzerTest",
            [CSharpSyntaxTree.ParseText(source, s_parseOptions, path: "Test.cs", cancellationToken: cancellationToken)],
            s_references,
            // Unsafe code allowed: MG0008's sources build spans over native pointers.
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        CSharpGeneratorDriver.Create([new ModelGenerator().AsSourceGenerator()], parseOptions: s_parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var generated, out _, cancellationToken);

        var exceptions = new List<Exception>();
        var analyzerOptions = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([], new TestConfigOptions(options ?? new Dictionary<string, string>())),
            onAnalyzerException: (exception, _, _) => exceptions.Add(exception),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false);
        var diagnostics = await generated
            .WithAnalyzers(All, analyzerOptions)
            .GetAnalyzerDiagnosticsAsync(cancellationToken);
        Assert.Empty(exceptions);
        return (diagnostics, generated);
    }

    /// <summary>Asserts the analyzer reports exactly the marked spans, with the marked ids.</summary>
    public static async Task<ImmutableArray<Diagnostic>> VerifyAsync(string markup, IReadOnlyDictionary<string, string>? options = null)
    {
        var (source, expected) = ParseMarkup(markup);
        var (all, _) = await AnalyzeAsync(source, options);
        // Informational rules (memory report, padding) fire on most models: checked only where a test marks them.
        var diagnostics = all.Where(d => d.Severity > DiagnosticSeverity.Info || expected.Any(e => e.Id == d.Id)).ToImmutableArray();

        var actual = diagnostics
            .Select(d => (d.Id, d.Location.SourceSpan, Text: source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)))
            .OrderBy(d => d.SourceSpan.Start)
            .ToList();
        var wanted = expected
            .Select(e => (e.Id, e.Span, Text: source.Substring(e.Span.Start, e.Span.Length)))
            .OrderBy(e => e.Span.Start)
            .ToList();
        Assert.True(wanted.SequenceEqual(actual),
            $"Expected:\n  {string.Join("\n  ", wanted)}\nActual:\n  {string.Join("\n  ", diagnostics.Select(d => $"{d.Id} {d.Location.SourceSpan} '{source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)}': {d.GetMessage()}"))}");
        return diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToImmutableArray();
    }

    /// <summary>Asserts one marked diagnostic and returns its message.</summary>
    public static async Task<string> VerifySingleAsync(string markup, IReadOnlyDictionary<string, string>? options = null)
    {
        var diagnostics = await VerifyAsync(markup, options);
        return Assert.Single(diagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Asserts the analyzer is silent and the whole compilation, generated code included, has no warning or error.</summary>
    public static async Task VerifyValidAsync(string source, IReadOnlyDictionary<string, string>? options = null)
    {
        var (diagnostics, compilation) = await AnalyzeAsync(source, options);

        Assert.Empty(diagnostics.Where(d => d.Severity > DiagnosticSeverity.Info));
        var compilerProblems = compilation.GetDiagnostics(TestContext.Current.CancellationToken)
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .ToList();
        Assert.True(compilerProblems.Count == 0, string.Join("\n", compilerProblems));
        Assert.Single(compilation.SyntaxTrees, tree => tree.FilePath.EndsWith(".g.cs", StringComparison.Ordinal));
    }

    // {|MG0001:text|} marks text where diagnostic MG0001 is expected; markers do not nest.
    private static (string Source, List<(string Id, TextSpan Span)> Expected) ParseMarkup(string markup)
    {
        var source = new StringBuilder();
        var expected = new List<(string, TextSpan)>();
        var position = 0;
        while (true)
        {
            var open = markup.IndexOf("{|", position, StringComparison.Ordinal);
            if (open < 0)
            {
                source.Append(markup, position, markup.Length - position);
                return (source.ToString(), expected);
            }

            var colon = markup.IndexOf(':', open);
            var close = markup.IndexOf("|}", colon, StringComparison.Ordinal);
            source.Append(markup, position, open - position);
            var id = markup.Substring(open + 2, colon - open - 2);
            var text = markup.Substring(colon + 1, close - colon - 1);
            expected.Add((id, new TextSpan(source.Length, text.Length)));
            source.Append(text);
            position = close + 2;
        }
    }
}
