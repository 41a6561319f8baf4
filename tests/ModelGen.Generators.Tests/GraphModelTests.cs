using ModelGen.Generators.Model;
using ModelGen.Generators.Model.Graph;

namespace ModelGen.Generators.Tests;

/// <summary>Graph models: parsing, shape inference, fusion, weight layout and the activation plan.</summary>
public sealed class GraphModelTests
{
    [Theory]
    [InlineData(nameof(GraphTestModels.FashionCnn))]
    [InlineData(nameof(GraphTestModels.ResMlp))]
    [InlineData(nameof(GraphTestModels.Int8Cnn))]
    public void RepresentativeGraphModelsAreValid(string model)
    {
        var spec = GeneratorHarness.Parse(TestModels.Source(model)).Spec;

        Assert.True(spec.IsGraph);
        Assert.False(spec.HasBindingErrors);
        Assert.Empty(spec.Layers);
        var problems = ModelValidator.Validate(spec);
        Assert.True(problems.IsEmpty, string.Join("\n", problems.Select(p => p.MessageArgs[0])));
    }
}
