using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Tests;

/// <summary>
/// Pipeline values hold only plain data: a symbol, syntax node or compilation in them would keep whole compilations
/// alive and defeat caching, since those never compare equal across edits.
/// </summary>
public sealed class ModelSpecGraphTests
{
    private static readonly Type[] s_compilerTypes =
        [typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(SemanticModel), typeof(AttributeData)];

    [Theory]
    [InlineData(nameof(TestModels.MixedPrecisionSoftmax))]
    [InlineData(nameof(TestModels.NestedWithBudget))]
    [InlineData(nameof(GraphTestModels.Int8Cnn))]
    public void PipelineValuesReachNoCompilerObjects(string model)
    {
        var compilation = GeneratorHarness.Compile(TestModels.Source(model));
        var run = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation, TestContext.Current.CancellationToken).GetRunResult();

        var result = Assert.Single(run.Results);
        var values = TrackingNames.All
            .SelectMany(name => result.TrackedSteps[name])
            .SelectMany(step => step.Outputs)
            .Select(output => output.Value)
            .ToList();
        Assert.Contains(values, value => value is ModelSpec);
        Assert.Contains(values, value => value is PlannedModel);
        foreach (var value in values)
        {
            AssertPlainData(value, value.GetType().Name, new HashSet<object>(ReferenceEqualityComparer.Instance));
        }
    }

    [Fact]
    public void ParsedSpecOfAnInvalidModelIsPlainDataToo()
    {
        var spec = GeneratorHarness.Parse(ModelGen.Testing.MalformedModels.Source("ShapeMismatch")).Spec;

        AssertPlainData(spec, nameof(ModelSpec), new HashSet<object>(ReferenceEqualityComparer.Instance));
    }

    private static void AssertPlainData(object? value, string path, HashSet<object> seen)
    {
        if (value is null)
        {
            return;
        }

        var type = value.GetType();
        Assert.False(s_compilerTypes.Any(t => t.IsAssignableFrom(type)), $"{path} holds a {type}.");
        if (type.IsPrimitive || type.IsEnum || value is string || (!type.IsValueType && !seen.Add(value)))
        {
            return;
        }

        Assert.True(type.Assembly == typeof(ModelSpec).Assembly || type.IsArray || type.Namespace == "System",
            $"{path} holds a {type}, which is neither plain data nor a generator model type.");
        if (value is IEnumerable items and not string)
        {
            var i = 0;
            foreach (var item in items)
            {
                AssertPlainData(item, $"{path}[{i++}]", seen);
            }
        }

        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertPlainData(field.GetValue(value), $"{path}.{field.Name}", seen);
        }
    }
}
