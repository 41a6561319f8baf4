using System.Collections.Immutable;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Tests;

/// <summary>Compiles test sources against .NET 10 and the ModelGen runtime and runs the generator over them.</summary>
internal static class GeneratorHarness
{
    /// <summary>Latest language version; documentation comments checked so missing docs in generated code show up.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly ImmutableArray<MetadataReference> s_references =
    [
        .. Net100.References.All,
        MetadataReference.CreateFromFile(typeof(ModelAttribute).Assembly.Location),
    ];

    /// <summary>A library compilation with nullable enabled and every warning wave on.</summary>
    public static CSharpCompilation Compile(params string[] sources) => CSharpCompilation.Create(
        "TestModels",
        sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Source{i}.cs")),
        s_references,
        new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable,
            warningLevel: 9999,
            deterministic: true));

    /// <summary>A driver for the generator, optionally recording each step's outputs.</summary>
    public static GeneratorDriver CreateDriver(bool trackSteps = false) => CSharpGeneratorDriver.Create(
        [new ModelGenerator().AsSourceGenerator()],
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackSteps));

    /// <summary>Runs the generator over <paramref name="sources"/>; returns the run and the compilation with its output.</summary>
    public static (GeneratorDriverRunResult Run, Compilation Output) Run(params string[] sources)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(Compile(sources), out var output, out _);
        return (driver.GetRunResult(), output);
    }

    /// <summary>Parses the single <c>[Model]</c> class in <paramref name="source"/> with the generator's parser.</summary>
    public static ParsedModel Parse(string source)
    {
        var compilation = Compile(source);
        var symbols = ModelGenSymbols.TryCreate(compilation) ?? throw new InvalidOperationException("ModelGen is not referenced.");
        var parsed = AllTypes(compilation.Assembly.GlobalNamespace)
            .Select(type => ModelParser.Parse(type, symbols, CancellationToken.None))
            .OfType<ParsedModel>()
            .ToList();
        return Assert.Single(parsed);
    }

    private static IEnumerable<INamedTypeSymbol> AllTypes(INamespaceOrTypeSymbol container)
    {
        foreach (var member in container.GetMembers())
        {
            if (member is INamedTypeSymbol type)
            {
                yield return type;
            }

            if (member is INamespaceOrTypeSymbol inner)
            {
                foreach (var nested in AllTypes(inner))
                {
                    yield return nested;
                }
            }
        }
    }
}
