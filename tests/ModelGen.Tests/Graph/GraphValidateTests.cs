using System.Reflection;
using ModelGen.Graph;

namespace ModelGen.Tests.Graph;

public class GraphValidateTests
{
    /// <summary>A copy of the plan's layers with properties of some layers replaced (init-only, so through reflection).</summary>
    private static GraphLayer[] With(BuiltPlan plan, params (int Layer, string Property, object Value)[] changes)
    {
        MethodInfo clone = typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!;
        GraphLayer[] layers = [.. plan.Layers.Select(l => (GraphLayer)clone.Invoke(l, null)!)];
        foreach ((int layer, string property, object value) in changes)
            typeof(GraphLayer).GetProperty(property)!.SetValue(layers[layer], value);
        return layers;
    }

    private static string Rejected(BuiltPlan plan, GraphLayer[] layers, long? weightBytes = null) =>
        Assert.Throws<InvalidOperationException>(() => GraphExecutor.Validate("M", layers, plan.Plan, weightBytes ?? plan.WeightBytes)).Message;

    /// <summary>conv a (0) -> conv b (1) -> conv c (2) -> add(c, a) (3) -> flatten (4) -> fc int8 (5).</summary>
    private static BuiltPlan Residual()
    {
        var b = new PlanBuilder(2, 6, 5);
        int a = b.Conv("a", 3, 3, padding: 1);
        b.Conv("b", 3, 1);
        int c = b.Conv("c", 3, 3, padding: 1);
        b.Residual(c, a);
        b.Flatten();
        b.Dense("fc", 4, Precision.Int8);
        return b.Build();
    }

    [Fact]
    public void ValidPlansPass()
    {
        BuiltPlan plan = Residual();
        GraphExecutor.Validate("M", plan.Layers, plan.Plan, plan.WeightBytes);
        BuiltPlan mobile = ReferenceModelTests.MobileNetV2(Precision.Int8);
        GraphExecutor.Validate("M", mobile.Layers, mobile.Plan, mobile.WeightBytes);
    }

    [Fact]
    public void TooSmallScratchIsCaught()
    {
        BuiltPlan plan = Residual();
        string message = Rejected(plan, With(plan, (2, nameof(GraphLayer.ScratchBytes), plan.Layers[2].ScratchBytes - 4)));
        Assert.Contains("Model 'M', layer 2 'c'", message);
        Assert.Contains("GraphScratch needs", message);
        Assert.Contains("GraphScratch needs", Rejected(plan, With(plan, (5, nameof(GraphLayer.RowScratchBytes), 64L))));
        Assert.Contains("fixed region", Rejected(plan, With(plan, (2, nameof(GraphLayer.ScratchOffset), plan.Plan.FixedScratchBytes))));
    }

    [Fact]
    public void OverlappingOffsetsAreCaught()
    {
        BuiltPlan plan = Residual();
        long a = plan.Layers[0].OutputOffset;
        // c writes over a's output, which the add still reads (the add reads both at a's place, consistently).
        string message = Rejected(plan, With(plan, (2, nameof(GraphLayer.OutputOffset), a), (3, nameof(GraphLayer.InputOffset), a)));
        Assert.Contains("layer 2 'c'", message);
        Assert.Contains("overwrites the output of layer 0 'a'", message);
        // b writes over its own input: not an in-place kind.
        Assert.Contains("overlaps its input", Rejected(plan, With(plan, (1, nameof(GraphLayer.OutputOffset), a), (2, nameof(GraphLayer.InputOffset), a))));
        // fc's row scratch over its input.
        Assert.Contains("row scratch", Rejected(plan, With(plan, (5, nameof(GraphLayer.RowScratchOffset), plan.Layers[5].InputOffset))));
    }

    [Fact]
    public void OffsetsPastTheBlocksAreCaught()
    {
        BuiltPlan plan = Residual();
        Assert.Contains("batch region", Rejected(plan, With(plan, (1, nameof(GraphLayer.OutputOffset), plan.Plan.PeakBytesPerSample - 64), (2, nameof(GraphLayer.InputOffset), plan.Plan.PeakBytesPerSample - 64))));
        Assert.Contains("weight block", Rejected(plan, plan.Layers, plan.WeightBytes - 64));
        Assert.Contains("not where its source writes", Rejected(plan, With(plan, (1, nameof(GraphLayer.InputOffset), GraphLayer.ModelInput))));
    }

    [Fact]
    public void ForwardReferencesAndBadIndicesAreCaught()
    {
        BuiltPlan plan = Residual();
        Assert.Contains("Source 3 is not an earlier layer", Rejected(plan, With(plan, (2, nameof(GraphLayer.Source), 3))));
        Assert.Contains("Source2 4", Rejected(plan, With(plan, (3, nameof(GraphLayer.Source2), 4))));
        Assert.Contains("Index is 7", Rejected(plan, With(plan, (1, nameof(GraphLayer.Index), 7))));
        Assert.Contains("precision Int4", Rejected(plan, With(plan, (5, nameof(GraphLayer.Precision), Precision.Int4))));
    }

    /// <summary>A static input needs an int8 Dense or Conv2d layer and a scale slot inside the weight block.</summary>
    [Fact]
    public void StaticInputsAreCheckedAgainstPrecisionAndTheWeightBlock()
    {
        BuiltPlan plan = Residual();
        var staticFc = (5, nameof(GraphLayer.InputQuantization), (object)InputQuantization.Static);
        // The int8 fc with its scale in the last 64 bytes of the weight block passes.
        long scaleAt = plan.WeightBytes - 64;
        GraphExecutor.Validate("M", With(plan, staticFc, (5, nameof(GraphLayer.InputScaleOffset), scaleAt)), plan.Plan, plan.WeightBytes);

        Assert.Contains("input scale (offset -3, 4 bytes)", Rejected(plan, With(plan, staticFc)));
        Assert.Contains("input scale (offset " + plan.WeightBytes, Rejected(plan, With(plan, staticFc, (5, nameof(GraphLayer.InputScaleOffset), plan.WeightBytes))));
        Assert.Contains("InputQuantization.Static needs an Int8 Dense or Conv2d layer; it is Conv2d with Float32 weights",
            Rejected(plan, With(plan, (0, nameof(GraphLayer.InputQuantization), InputQuantization.Static), (0, nameof(GraphLayer.InputScaleOffset), scaleAt))));
        Assert.Contains("InputQuantization 5 is not a defined value", Rejected(plan, With(plan, (5, nameof(GraphLayer.InputQuantization), (InputQuantization)5))));
    }
}
