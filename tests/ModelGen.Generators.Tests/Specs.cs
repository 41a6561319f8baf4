using ModelGen.Generators.Model;

namespace ModelGen.Generators.Tests;

/// <summary>Builds valid specs directly, for planner and validator tests that need no compilation.</summary>
internal static class Specs
{
    public static DenseSpec Layer(int inFeatures, int outFeatures, LayerPrecision precision = LayerPrecision.Float32, bool bias = true, string name = "Layer", LayerScheme? scheme = null) =>
        new(new LayerPropertySpec(name, "public partial", "ModelGen.DenseLayer", "global::ModelGen.DenseLayer", true, true, false, false, false, new EquatableArray<string>(["get"])),
            true, inFeatures, outFeatures, LayerActivation.None, precision, bias, null, scheme ?? LayerScheme.Plain);

    public static ModelSpec Model(int maxBatch, params DenseSpec[] layers) => Model(maxBatch, LayerPrecision.Float32, layers);

    public static ModelSpec Model(int maxBatch, LayerPrecision activations, params DenseSpec[] layers) => new(
        "Demo",
        new TypeDeclarationSpec("M", "class", "public sealed partial", true, false, false, false, false),
        default,
        new ModelOptionsSpec(true, maxBatch, null, false, activations),
        new EquatableArray<DenseSpec>(layers));
}
