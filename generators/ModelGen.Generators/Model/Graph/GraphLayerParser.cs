using Microsoft.CodeAnalysis;

namespace ModelGen.Generators.Model.Graph;

/// <summary>Reads one layer attribute of a graph layer property into a <see cref="GraphLayerSpec"/>; judges nothing.</summary>
internal static class GraphLayerParser
{
    /// <summary>
    /// Parses <paramref name="attribute"/> on the property declared as <paramref name="property"/>; a Dense or Conv2d
    /// layer without its own Precision takes <paramref name="weightPrecision"/> (the model's WeightPrecision).
    /// </summary>
    public static GraphLayerSpec Parse(LayerPropertySpec property, AttributeData attribute, int attributeCount, bool isBound,
        LayerPrecision weightPrecision = LayerPrecision.Float32)
    {
        var (kind, name, activation) = KindOf(attribute.AttributeClass);
        var isPool = kind is GraphLayerKind.MaxPool2d or GraphLayerKind.AvgPool2d;
        var layer = new GraphLayerSpec(
            property, isBound, attributeCount, kind, name, Name: null, Input: null, Residual: null,
            In: 0, Out: 0, KernelSize: 0, Stride: isPool ? 0 : 1, Padding: 0, Dilation: 1, Groups: 1, Bias: true,
            activation, kind is GraphLayerKind.Dense or GraphLayerKind.Conv2d ? weightPrecision : LayerPrecision.Float32, Epsilon: 1e-5, DenseSchemeOption: null);
        var args = attribute.ConstructorArguments;
        int Int(int index) => index < args.Length && args[index].Value is int value ? value : 0;
        layer = kind switch
        {
            GraphLayerKind.Dense => layer with { In = Int(0), Out = Int(1) },
            GraphLayerKind.Conv2d => layer with { In = Int(0), Out = Int(1), KernelSize = Int(2) },
            GraphLayerKind.BatchNorm2d or GraphLayerKind.LayerNorm => layer with { In = Int(0) },
            GraphLayerKind.MaxPool2d or GraphLayerKind.AvgPool2d => layer with { KernelSize = Int(0) },
            GraphLayerKind.Add => layer with { Residual = args.Length > 0 ? args[0].Value as string : null },
            _ => layer,
        };

        foreach (var argument in attribute.NamedArguments)
        {
            var value = argument.Value.Value;
            layer = argument.Key switch
            {
                "Name" => layer with { Name = value as string },
                "Input" => layer with { Input = value as string },
                "Stride" when value is int stride => layer with { Stride = stride },
                "Padding" when value is int padding => layer with { Padding = padding },
                "Dilation" when value is int dilation => layer with { Dilation = dilation },
                "Groups" when value is int groups => layer with { Groups = groups },
                "Bias" when value is bool bias => layer with { Bias = bias },
                "Activation" when value is int function => layer with { Activation = (LayerActivation)function },
                "Precision" when value is int precision => layer with { Precision = (LayerPrecision)precision },
                "Epsilon" when value is double epsilon => layer with { Epsilon = epsilon },
                "InputQuantization" when value is int quantization => layer with { InputQuantization = (LayerInputQuantization)quantization },
                "GroupSize" or "Pruning" or "Sparsity" or "KeepOutputs" or "ChannelNorm" or "SparseStorage"
                    when layer.DenseSchemeOption is null => layer with { DenseSchemeOption = argument.Key },
                _ => layer,
            };
        }

        return layer;
    }

    private static (GraphLayerKind Kind, string Name, LayerActivation Activation) KindOf(INamedTypeSymbol? type)
    {
        var isModelGen = type?.ContainingNamespace is { Name: "ModelGen", ContainingNamespace.IsGlobalNamespace: true };
        var name = type?.Name ?? "?";
        if (name.EndsWith("Attribute", System.StringComparison.Ordinal))
        {
            name = name.Substring(0, name.Length - "Attribute".Length);
        }

        if (!isModelGen)
        {
            return (GraphLayerKind.Unknown, name, LayerActivation.None);
        }

        return name switch
        {
            "Dense" => (GraphLayerKind.Dense, name, LayerActivation.None),
            "Conv2d" => (GraphLayerKind.Conv2d, name, LayerActivation.None),
            "BatchNorm2d" => (GraphLayerKind.BatchNorm2d, name, LayerActivation.None),
            "MaxPool2d" => (GraphLayerKind.MaxPool2d, name, LayerActivation.None),
            "AvgPool2d" => (GraphLayerKind.AvgPool2d, name, LayerActivation.None),
            "GlobalAvgPool" => (GraphLayerKind.GlobalAvgPool, name, LayerActivation.None),
            "LayerNorm" => (GraphLayerKind.LayerNorm, name, LayerActivation.None),
            "Add" => (GraphLayerKind.Add, name, LayerActivation.None),
            "Flatten" => (GraphLayerKind.Flatten, name, LayerActivation.None),
            "Dropout" => (GraphLayerKind.Dropout, name, LayerActivation.None),
            "Relu" => (GraphLayerKind.Activation, name, LayerActivation.Relu),
            "Relu6" => (GraphLayerKind.Activation, name, LayerActivation.Relu6),
            "Gelu" => (GraphLayerKind.Activation, name, LayerActivation.Gelu),
            "Sigmoid" => (GraphLayerKind.Activation, name, LayerActivation.Sigmoid),
            "Tanh" => (GraphLayerKind.Activation, name, LayerActivation.Tanh),
            _ => (GraphLayerKind.Unknown, name, LayerActivation.None),
        };
    }
}
