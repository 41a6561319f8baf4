using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelGen.Testing;

namespace ModelGen.Generators.Tests;

/// <summary>Whatever the source, the generator neither throws nor reports; invalid models produce no file.</summary>
public sealed class MalformedSourceTests
{
    [Theory]
    [MemberData(nameof(MalformedModels.Names), MemberType = typeof(MalformedModels))]
    public void GeneratorNeverThrowsOrReports(string name)
    {
        var (run, _) = GeneratorHarness.Run(MalformedModels.Source(name));

        var result = Assert.Single(run.Results);
        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(run.Diagnostics);
    }

    [Theory]
    [InlineData("ZeroWidths")]
    [InlineData("LayerOver2GiB")]
    [InlineData("WeightBlockOver2GiB")]
    [InlineData("ActivationBlockOver2GiB")]
    [InlineData("NotPartialClass")]
    [InlineData("GenericClass")]
    [InlineData("NestedInNonPartial")]
    [InlineData("RecordClass")]
    [InlineData("EmptyClass")]
    [InlineData("DuplicateModelAttribute")]
    [InlineData("ModelOnTwoParts")]
    [InlineData("EnumsCastFromInts")]
    [InlineData("MissingOutFeatures")]
    [InlineData("BadBudget")]
    [InlineData("ShapeMismatch")]
    [InlineData("DuplicateTensorNames")]
    [InlineData("ReservedPropertyName")]
    [InlineData("ClashingFieldNames")]
    public void InvalidModelGetsNoMembers(string name)
    {
        var (run, _) = GeneratorHarness.Run(MalformedModels.Source(name));

        Assert.All(run.Results.Single().GeneratedSources, source =>
            Assert.DoesNotContain("Forward", source.SourceText.ToString(), StringComparison.Ordinal));
    }

    // A command-line build stops at declaration errors before analyzers run: an unimplemented partial property (CS9248)
    // would hide the MG diagnostic that explains the problem.
    [Theory]
    [InlineData("ZeroWidths")]
    [InlineData("LayerOver2GiB")]
    [InlineData("ActivationBlockOver2GiB")]
    [InlineData("RecordClass")]
    [InlineData("AbstractClass")]
    [InlineData("StaticClass")]
    [InlineData("EnumsCastFromInts")]
    [InlineData("QuoteAndControlNames")]
    [InlineData("BadBudget")]
    [InlineData("MaxBatchZero")]
    [InlineData("ShapeMismatch")]
    [InlineData("DuplicateTensorNames")]
    [InlineData("ReservedPropertyName")]
    [InlineData("WrongPropertyType")]
    [InlineData("NullableLayerType")]
    [InlineData("SetterProperty")]
    [InlineData("ModelOnTwoParts")]
    public void InvalidModelLeavesNoDeclarationErrorToHideItsDiagnostics(string name)
    {
        var (run, output) = GeneratorHarness.Run(MalformedModels.Source(name));

        Assert.Single(run.GeneratedTrees);
        var errors = output.GetDiagnostics(TestContext.Current.CancellationToken)
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS0579")
            .ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Theory]
    [InlineData("UnicodeNames")]
    [InlineData("KeywordNames")]
    [InlineData("ConstantExpressions")]
    [InlineData("ZeroLiteralForEnum")]
    [InlineData("NullName")]
    public void UnusualButValidModelCompilesCleanly(string name)
    {
        var (run, output) = GeneratorHarness.Run(MalformedModels.Source(name));

        Assert.Single(run.GeneratedTrees);
        var problems = output.GetDiagnostics(TestContext.Current.CancellationToken)
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id != "CS1591")
            .ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void WithoutTheRuntimeNothingHappens()
    {
        var compilation = CSharpCompilation.Create(
            "NoRuntime",
            [CSharpSyntaxTree.ParseText(MalformedModels.Source("MissingUsing"), GeneratorHarness.ParseOptions, cancellationToken: TestContext.Current.CancellationToken)],
            Net100.References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        var run = GeneratorHarness.CreateDriver().RunGenerators(compilation, TestContext.Current.CancellationToken).GetRunResult();

        Assert.Null(Assert.Single(run.Results).Exception);
        Assert.Empty(run.GeneratedTrees);
    }
}
