using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ModelGen.Generators.Tests;

/// <summary>Edits that do not touch a model reuse every cached step and output.</summary>
public sealed class IncrementalityTests
{
    private const string Unrelated = """
        namespace Demo;

        public static class Helpers
        {
            public static int Twice(int x) => 2 * x;
        }
        """;

    [Fact]
    public void AddingAnUnrelatedFileKeepsEveryStepCached()
    {
        var compilation = GeneratorHarness.Compile(TestModels.FashionMlp);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation, TestContext.Current.CancellationToken);

        driver = driver.RunGenerators(compilation.AddSyntaxTrees(Tree(Unrelated)), TestContext.Current.CancellationToken);

        AssertAllCached(driver.GetRunResult());
    }

    [Fact]
    public void EditingAnotherFileKeepsEveryStepCached()
    {
        var helpers = Tree(Unrelated);
        var compilation = GeneratorHarness.Compile(TestModels.MixedPrecisionSoftmax).AddSyntaxTrees(helpers);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation, TestContext.Current.CancellationToken);

        var edited = compilation.ReplaceSyntaxTree(helpers, Tree(Unrelated.Replace("2 * x", "x + x")));
        driver = driver.RunGenerators(edited, TestContext.Current.CancellationToken);

        AssertAllCached(driver.GetRunResult());
    }

    [Theory]
    [InlineData(nameof(GraphTestModels.FashionCnn))]
    [InlineData(nameof(GraphTestModels.Int8Cnn))]
    public void EditingAnotherFileKeepsAGraphModelCached(string model)
    {
        var helpers = Tree(Unrelated);
        var compilation = GeneratorHarness.Compile(TestModels.Source(model)).AddSyntaxTrees(helpers);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation, TestContext.Current.CancellationToken);

        var edited = compilation.ReplaceSyntaxTree(helpers, Tree(Unrelated.Replace("2 * x", "x + x")));
        driver = driver.RunGenerators(edited, TestContext.Current.CancellationToken);

        AssertAllCached(driver.GetRunResult());
    }

    [Fact]
    public void EditingABlockInAnotherFileRegeneratesTheModelsThatUseIt()
    {
        const string block = """
            using ModelGen;
            namespace Demo;
            [ModelBlock]
            public interface IHidden
            {
                [Dense(8, 32)] GraphLayer Up { get; }
                [Gelu] GraphLayer Act { get; }
                [Dense(32, 8)] GraphLayer Down { get; }
            }
            """;
        const string model = """
            using ModelGen;
            namespace Demo;
            [Model(InputShape = new[] { 8 })]
            public partial class UsesBlock
            {
                [Block(typeof(IHidden))] public partial GraphLayer Hidden { get; }
            }
            """;
        var blockTree = Tree(block);
        var compilation = GeneratorHarness.Compile(model).AddSyntaxTrees(blockTree);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation, TestContext.Current.CancellationToken);
        Assert.Contains("OutputShape = [32]", Generated(driver));

        var edited = compilation.ReplaceSyntaxTree(blockTree, Tree(block.Replace("(8, 32)", "(8, 48)").Replace("(32, 8)", "(48, 8)")));
        driver = driver.RunGenerators(edited, TestContext.Current.CancellationToken);

        Assert.Contains("OutputShape = [48]", Generated(driver));
        Assert.DoesNotContain("OutputShape = [32]", Generated(driver));

        static string Generated(GeneratorDriver driver) =>
            Assert.Single(Assert.Single(driver.GetRunResult().Results).GeneratedSources).SourceText.ToString();
    }

    [Fact]
    public void EditingTheModelRegeneratesIt()
    {
        var compilation = GeneratorHarness.Compile(TestModels.Float32TwoLayer);
        var model = compilation.SyntaxTrees.Single();
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation, TestContext.Current.CancellationToken);

        var edited = compilation.ReplaceSyntaxTree(model, Tree(TestModels.Float32TwoLayer.Replace("MaxBatch = 32", "MaxBatch = 33")));
        driver = driver.RunGenerators(edited, TestContext.Current.CancellationToken);

        var result = Assert.Single(driver.GetRunResult().Results);
        var outputs = result.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(step => step.Outputs);
        Assert.Contains(outputs, output => output.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("public const int MaxBatch = 33;", Assert.Single(result.GeneratedSources).SourceText.ToString());
    }

    private static SyntaxTree Tree(string source) =>
        CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, path: "Helpers.cs");

    private static void AssertAllCached(GeneratorDriverRunResult run)
    {
        var result = Assert.Single(run.Results);
        foreach (var name in TrackingNames.All)
        {
            Assert.True(result.TrackedSteps.TryGetValue(name, out var steps), $"Step {name} did not run.");
            foreach (var output in steps.SelectMany(step => step.Outputs))
            {
                Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"Step {name} produced a {output.Reason} output.");
            }
        }

        var outputs = result.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(step => step.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }
}
