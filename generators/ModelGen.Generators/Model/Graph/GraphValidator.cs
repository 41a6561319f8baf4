using System;
using System.Collections.Generic;
using System.Linq;
using static ModelGen.Generators.Model.ModelValidator;

namespace ModelGen.Generators.Model.Graph;

/// <summary>
/// The validator's rules for graph models: declarations (MG0003), argument ranges (MG0002), options graph models do not
/// support (MG0013), and the graph itself: edges and the shapes inferred along them (MG0014). Shapes are per sample.
/// </summary>
internal static class GraphValidator
{
    /// <summary>Largest elements of one tensor of one sample (so its fp32 bytes stay int-addressable).</summary>
    public const long MaxTensorElements = int.MaxValue / 4;

    /// <summary>Largest kernel size.</summary>
    public const int MaxKernelSize = 1024;

    /// <summary>Members a graph model declares besides those of every model.</summary>
    public static readonly string[] GraphMembers =
        ["InputShape", "OutputShape", "Plan", "Backend", "LargestBatchWithin", "FixedScratchBytes"];

    /// <summary>Checks graph model <paramref name="spec"/> (its options already checked: <paramref name="optionsInRange"/>).</summary>
    public static void Check(ModelSpec spec, bool optionsInRange, Problems problems)
    {
        var before = problems.Count;
        var layers = spec.GraphLayers;
        var shapeOk = CheckInputShape(spec, problems);
        if (spec.Options.IsBound && spec.Options.ActivationPrecision != LayerPrecision.Float32)
        {
            problems.Incompatible(ProblemTarget.Model(ProblemTargetKind.ActivationPrecision),
                $"ActivationPrecision applies to Dense-chain models; graph model '{spec.Type.Name}' stores its activations as Float32: remove ActivationPrecision");
        }

        for (var i = 0; i < layers.Count; i++)
        {
            CheckProperty(spec, i, problems);
            if (layers[i].IsBound)
            {
                CheckArguments(layers[i], i, problems);
            }
        }

        CheckNames(layers, problems);
        if (problems.Count != before || !shapeOk || spec.HasBindingErrors || layers.Count == 0)
        {
            // Edges are still checked, so a bad name shows up together with other problems.
            Resolve(spec, shapeOk ? problems : null, checkEdgesOnly: !shapeOk || problems.Count != before || spec.HasBindingErrors);
            return;
        }

        var shapes = Resolve(spec, problems, checkEdgesOnly: false);
        if (problems.Count == before && optionsInRange)
        {
            CheckSizes(spec, shapes, problems);
        }
    }

    private static bool CheckInputShape(ModelSpec spec, Problems problems)
    {
        if (spec.Options.InputShape is not { } shape || !spec.Options.IsBound)
        {
            return spec.Options.IsBound;
        }

        var target = ProblemTarget.Model(ProblemTargetKind.InputShape);
        if (shape.Count is < 1 or > 3)
        {
            problems.OutOfRange(target, $"InputShape has {Number(shape.Count)} dimensions; a graph model's input sample is [features] or [channels, height, width] (1 to 3 dimensions)");
            return false;
        }

        if (shape.Any(static d => d < 1))
        {
            problems.OutOfRange(target, $"InputShape {GraphShapes.Format(shape.ToArray())} has a dimension below 1; every dimension must be positive");
            return false;
        }

        if (GraphShapes.Size(shape.ToArray()) > ModelLimits.MaxFeatures)
        {
            problems.OutOfRange(target, $"InputShape {GraphShapes.Format(shape.ToArray())} holds {Count(GraphShapes.Size(shape.ToArray()))} values per sample; at most {Count(ModelLimits.MaxFeatures)}");
            return false;
        }

        return true;
    }

    private static void CheckProperty(ModelSpec spec, int index, Problems problems)
    {
        var layer = spec.GraphLayers[index];
        var property = layer.Property;
        var name = property.Name;
        var target = ProblemTarget.GraphLayer(ProblemTargetKind.LayerIdentifier, index);
        if (property.IsIndexer)
        {
            problems.Declaration(target, "A layer must be a property, not an indexer");
            return;
        }

        if (!property.IsGraphLayer)
        {
            problems.Declaration(target, property.IsDenseLayer
                ? $"Layer property '{name}' is a DenseLayer, but '{spec.Type.Name}' is a graph model (InputShape is set): declare it 'public partial GraphLayer {name} {{ get; }}'"
                : $"Layer property '{name}' of graph model '{spec.Type.Name}' must be of type ModelGen.GraphLayer, not '{property.TypeName}'");
        }

        if (layer.AttributeCount > 1)
        {
            problems.Declaration(target, $"Layer property '{name}' has {Number(layer.AttributeCount)} layer attributes; a graph layer has exactly one");
        }

        if (layer.Kind == GraphLayerKind.InvalidBlock)
        {
            problems.Declaration(ProblemTarget.GraphLayer(ProblemTargetKind.LayerAttribute, index),
                $"Layer property '{name}' cannot use its block: {layer.AttributeName}");
        }

        if (layer.Kind == GraphLayerKind.Unknown)
        {
            problems.Declaration(ProblemTarget.GraphLayer(ProblemTargetKind.LayerAttribute, index),
                $"Layer property '{name}' uses [{layer.AttributeName}], which ModelGen cannot generate; use a ModelGen layer attribute such as [Conv2d], [Dense] or [Add]");
        }

        if (property.IsStatic)
        {
            problems.Declaration(target, $"Layer property '{name}' must not be static");
        }

        if (property.HasSetter)
        {
            problems.Declaration(target, $"Layer property '{name}' must be get-only: the generator implements it");
        }

        if (!property.IsPartialDefinition && !property.IsBlockMember)
        {
            problems.Declaration(target, $"Layer property '{name}' must be declared partial without a body, e.g. 'public partial GraphLayer {name} {{ get; }}'");
        }

        if (GeneratedNames.Members.Contains(name) || GraphMembers.Contains(name))
        {
            problems.Declaration(target, $"Layer property '{name}' clashes with a member the generator declares; rename it and set Name = \"...\" on its attribute to keep the tensor name");
        }
    }

    private static void CheckArguments(GraphLayerSpec layer, int index, Problems problems)
    {
        var name = layer.Property.Name;
        ProblemTarget T(ProblemTargetKind kind) => ProblemTarget.GraphLayer(kind, index);
        void Range(int value, int min, int max, string argument, ProblemTargetKind kind)
        {
            if (value < min || value > max)
            {
                problems.OutOfRange(T(kind), $"{argument} of layer '{name}' is {Count(value)}; it must be between {Count(min)} and {Count(max)}");
            }
        }

        switch (layer.Kind)
        {
            case GraphLayerKind.Dense:
                Range(layer.In, 1, ModelLimits.MaxFeatures, "InFeatures", ProblemTargetKind.InFeatures);
                Range(layer.Out, 1, ModelLimits.MaxFeatures, "OutFeatures", ProblemTargetKind.OutFeatures);
                break;
            case GraphLayerKind.Conv2d:
                Range(layer.In, 1, ModelLimits.MaxFeatures, "InChannels", ProblemTargetKind.InFeatures);
                Range(layer.Out, 1, ModelLimits.MaxFeatures, "OutChannels", ProblemTargetKind.OutFeatures);
                Range(layer.KernelSize, 1, MaxKernelSize, "KernelSize", ProblemTargetKind.KernelSize);
                Range(layer.Stride, 1, MaxKernelSize, "Stride", ProblemTargetKind.Stride);
                Range(layer.Padding, 0, MaxKernelSize, "Padding", ProblemTargetKind.Padding);
                Range(layer.Dilation, 1, MaxKernelSize, "Dilation", ProblemTargetKind.Dilation);
                Range(layer.Groups, 1, ModelLimits.MaxFeatures, "Groups", ProblemTargetKind.Groups);
                if (layer.Groups >= 1 && layer.In >= 1 && layer.Out >= 1 && (layer.In % layer.Groups != 0 || layer.Out % layer.Groups != 0))
                {
                    problems.OutOfRange(T(ProblemTargetKind.Groups),
                        $"Groups ({Number(layer.Groups)}) of layer '{name}' must divide both its input channels ({Number(layer.In)}) and its output channels ({Number(layer.Out)})");
                }

                break;
            case GraphLayerKind.MaxPool2d or GraphLayerKind.AvgPool2d:
                Range(layer.KernelSize, 1, MaxKernelSize, "KernelSize", ProblemTargetKind.KernelSize);
                Range(layer.Stride, 0, MaxKernelSize, "Stride", ProblemTargetKind.Stride);
                if (layer.Padding < 0 || (layer.KernelSize >= 1 && layer.Padding > layer.KernelSize / 2))
                {
                    problems.OutOfRange(T(ProblemTargetKind.Padding),
                        $"Padding of layer '{name}' is {Number(layer.Padding)}; it must be between 0 and half the kernel size ({Number(Math.Max(layer.KernelSize, 0) / 2)})");
                }

                break;
            case GraphLayerKind.BatchNorm2d or GraphLayerKind.LayerNorm:
                Range(layer.In, 1, ModelLimits.MaxFeatures, layer.Kind == GraphLayerKind.LayerNorm ? "Features" : "Channels", ProblemTargetKind.InFeatures);
                if (!(layer.Epsilon > 0) || double.IsInfinity(layer.Epsilon))
                {
                    problems.OutOfRange(T(ProblemTargetKind.Epsilon), $"Epsilon of layer '{name}' must be a positive finite number");
                }

                break;
        }

        if (layer.Kind is GraphLayerKind.Dense or GraphLayerKind.Conv2d or GraphLayerKind.Add
            && layer.Activation is < LayerActivation.None or > LayerActivation.Gelu)
        {
            problems.OutOfRange(T(ProblemTargetKind.Activation),
                $"Activation of layer '{name}' is {Number((int)layer.Activation)}, which is not a defined ModelGen.Activation value");
        }

        if (layer.HasWeightPrecision)
        {
            CheckPrecision(layer, index, problems);
        }

        if (layer.Name is { } tensorName && (string.IsNullOrWhiteSpace(tensorName) || tensorName.Any(static c => c == '"' || char.IsControl(c))))
        {
            problems.OutOfRange(T(ProblemTargetKind.Name),
                $"Name of layer '{name}' must be a non-blank tensor name without '\"' or control characters; leave it unset to use '{TensorNames.FromPropertyName(name)}'");
        }
    }

    private static void CheckPrecision(GraphLayerSpec layer, int index, Problems problems)
    {
        var name = layer.Property.Name;
        var precision = layer.Precision;
        if (precision is < LayerPrecision.Float32 or > LayerPrecision.Codebook256)
        {
            problems.OutOfRange(ProblemTarget.GraphLayer(ProblemTargetKind.Precision, index),
                $"Precision of layer '{name}' is {Number((int)precision)}, which is not a defined ModelGen.Precision value");
        }
        else if (precision > LayerPrecision.Int8)
        {
            problems.Incompatible(ProblemTarget.GraphLayer(ProblemTargetKind.Precision, index),
                $"Layer '{name}' is {layer.AttributeName} with {precision} weights; graph models store {layer.AttributeName} weights as Float32, Float16, BFloat16 or Int8");
        }

        // Static inputs take the Dense rule's wording: the calibrated scale quantizes the input to int8.
        if (layer.InputQuantization is < LayerInputQuantization.Dynamic or > LayerInputQuantization.Static)
        {
            problems.OutOfRange(ProblemTarget.GraphLayer(ProblemTargetKind.InputQuantization, index),
                $"InputQuantization of layer '{name}' is {Number((int)layer.InputQuantization)}, which is not a defined ModelGen.InputQuantization value");
        }
        else if (layer.InputQuantization == LayerInputQuantization.Static && precision != LayerPrecision.Int8)
        {
            problems.Incompatible(ProblemTarget.GraphLayer(ProblemTargetKind.InputQuantization, index),
                $"InputQuantization.Static on layer '{name}' needs Precision.Int8 (its input is quantized to int8), not {precision}");
        }

        if (layer.Kind == GraphLayerKind.Dense && layer.DenseSchemeOption is { } option)
        {
            problems.Incompatible(ProblemTarget.GraphLayer((ProblemTargetKind)Enum.Parse(typeof(ProblemTargetKind), option), index),
                $"{option} on layer '{name}' is not supported in graph models: their Dense layers take Precision Float32, Float16, BFloat16 or Int8 with no quantization or pruning option but InputQuantization");
        }
    }

    // Tensor names key the weight file: unique.
    private static void CheckNames(EquatableArray<GraphLayerSpec> layers, Problems problems)
    {
        var owners = new Dictionary<string, string>();
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            if (owners.TryGetValue(layer.TensorName, out var owner))
            {
                problems.Declaration(ProblemTarget.GraphLayer(ProblemTargetKind.LayerIdentifier, i),
                    $"Layers '{owner}' and '{layer.Property.Name}' both use the tensor name '{layer.TensorName}'; set a different Name on one of them");
            }
            else
            {
                owners[layer.TensorName] = layer.Property.Name;
            }
        }
    }

    /// <summary>
    /// Resolves the edges and, unless <paramref name="checkEdgesOnly"/>, infers every shape; problems go to
    /// <paramref name="problems"/> when given. The planner calls it on valid models only.
    /// </summary>
    public static GraphShapes Resolve(ModelSpec spec, Problems? problems, bool checkEdgesOnly = false)
    {
        var layers = spec.GraphLayers;
        var n = layers.Count;
        var sources = new int[n];
        var sources2 = new int[n];
        var inputs = new int[]?[n];
        var outputs = new int[]?[n];
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            byName[layers[i].Property.Name] = i;
        }

        for (var i = 0; i < n; i++)
        {
            var layer = layers[i];
            sources[i] = layer.Input is { } input ? Reference(spec, i, input, "reads", ProblemTargetKind.Input, byName, problems) : i - 1;
            sources2[i] = layer.Kind == GraphLayerKind.Add
                ? Reference(spec, i, layer.Residual ?? "", "adds", ProblemTargetKind.Residual, byName, problems)
                : -2;
        }

        var outputLayer = n - 1;
        while (outputLayer >= 0 && layers[outputLayer].IsView)
        {
            outputLayer = sources[outputLayer];
        }

        if (checkEdgesOnly || spec.Options.InputShape is not { } inputShape)
        {
            return new GraphShapes(sources, sources2, inputs, outputs, outputLayer);
        }

        for (var i = 0; i < n; i++)
        {
            var from = sources[i] == -1 ? inputShape.ToArray() : sources[i] >= 0 ? outputs[sources[i]] : null;
            if (from is null || (sources2[i] is var r && (r < -1 || (r >= 0 && outputs[r] is null)) && layers[i].Kind == GraphLayerKind.Add))
            {
                continue;
            }

            inputs[i] = from;
            outputs[i] = Infer(spec, i, from, sources, sources2, outputs, problems);
            if (outputs[i] is { } shape && GraphShapes.Size(shape) > MaxTensorElements)
            {
                problems?.OutOfRange(ProblemTarget.GraphLayer(ProblemTargetKind.LayerAttribute, i),
                    $"Layer '{layers[i].Property.Name}' produces {GraphShapes.Format(shape)}, {Count(GraphShapes.Size(shape))} values per sample; at most {Count(MaxTensorElements)}");
                outputs[i] = null;
            }
        }

        if (n > 0 && outputLayer == -1)
        {
            problems?.GraphShape(ProblemTarget.GraphLayer(ProblemTargetKind.LayerAttribute, n - 1),
                $"The output of '{spec.Type.Name}' is its input: the last layer '{layers[n - 1].Property.Name}' is a view of the model input; end the model with a layer that computes");
        }

        return new GraphShapes(sources, sources2, inputs, outputs, outputLayer);
    }

    private static int Reference(ModelSpec spec, int index, string name, string verb, ProblemTargetKind kind,
        Dictionary<string, int> byName, Problems? problems)
    {
        var layer = spec.GraphLayers[index].Property.Name;
        if (name == GraphLayerSpec.ModelInputName)
        {
            return -1;
        }

        var target = ProblemTarget.GraphLayer(kind, index);
        if (!byName.TryGetValue(name, out var source))
        {
            problems?.GraphShape(target,
                $"Layer '{layer}' {verb} '{name}', which is not a layer of '{spec.Type.Name}': name an earlier layer property (nameof(...)) or \"input\" for the model input");
            return -3;
        }

        if (source >= index)
        {
            problems?.GraphShape(target, source == index
                ? $"Layer '{layer}' {verb} itself: a layer reads layers declared before it"
                : $"Layer '{layer}' {verb} '{name}', which is declared after it: a layer reads layers declared before it");
            return -3;
        }

        return source;
    }

    private static int[]? Infer(ModelSpec spec, int i, int[] input, int[] sources, int[] sources2, int[]?[] outputs, Problems? problems)
    {
        var layer = spec.GraphLayers[i];
        var name = layer.Property.Name;
        var from = sources[i] < 0 ? "the model input" : $"'{spec.GraphLayers[sources[i]].Property.Name}'";
        var target = ProblemTarget.GraphLayer(ProblemTargetKind.LayerAttribute, i);
        int[]? Fail(string message)
        {
            problems?.GraphShape(target, message);
            return null;
        }

        bool NeedsPlanes() => input.Length == 3;
        switch (layer.Kind)
        {
            case GraphLayerKind.Conv2d:
                if (!NeedsPlanes())
                {
                    return Fail($"Layer '{name}' expects a [channels, height, width] input but {from} produces {GraphShapes.Format(input)}");
                }

                if (input[0] != layer.In)
                {
                    return Fail($"Layer '{name}' expects {Number(layer.In)} input channels but {from} produces {GraphShapes.Format(input)}");
                }

                return Window(layer.Out, layer.Stride, layer.Dilation) is { } conv ? conv : null;
            case GraphLayerKind.BatchNorm2d:
                if (!NeedsPlanes())
                {
                    return Fail($"Layer '{name}' expects a [channels, height, width] input but {from} produces {GraphShapes.Format(input)}");
                }

                return input[0] == layer.In ? input
                    : Fail($"Layer '{name}' normalizes {Number(layer.In)} channels but {from} produces {GraphShapes.Format(input)}");
            case GraphLayerKind.MaxPool2d or GraphLayerKind.AvgPool2d:
                return NeedsPlanes() ? Window(input[0], layer.EffectiveStride, 1)
                    : Fail($"Layer '{name}' pools [channels, height, width] planes but {from} produces {GraphShapes.Format(input)}");
            case GraphLayerKind.GlobalAvgPool:
                return NeedsPlanes() ? [input[0], 1, 1]
                    : Fail($"Layer '{name}' pools [channels, height, width] planes but {from} produces {GraphShapes.Format(input)}");
            case GraphLayerKind.Flatten:
                return [(int)GraphShapes.Size(input)];
            case GraphLayerKind.LayerNorm:
                return input[input.Length - 1] == layer.In ? input
                    : Fail($"Layer '{name}' normalizes the last {Number(layer.In)} values but {from} produces {GraphShapes.Format(input)}: Features must equal the last dimension");
            case GraphLayerKind.Dense:
                if (input.Length != 1)
                {
                    return Fail($"Layer '{name}' expects a 1-D input of {Number(layer.In)} features but {from} produces {GraphShapes.Format(input)}: add a [Flatten] layer before it");
                }

                return input[0] == layer.In ? [layer.Out]
                    : Fail($"Layer '{name}' expects {Number(layer.In)} input features but {from} produces {GraphShapes.Format(input)}");
            case GraphLayerKind.Add:
                var residual = sources2[i] < 0 ? spec.Options.InputShape!.Value.ToArray() : outputs[sources2[i]]!;
                var residualName = sources2[i] < 0 ? "the model input" : $"'{spec.GraphLayers[sources2[i]].Property.Name}'";
                return residual.SequenceEqual(input) ? input
                    : Fail($"Layer '{name}' adds {residualName} {GraphShapes.Format(residual)} to {from} {GraphShapes.Format(input)}: both inputs must have the same shape");
            default:
                return input;
        }

        int[]? Window(int channels, int stride, int dilation)
        {
            long Extent(int size) => (long)size + (2L * layer.Padding) - ((long)dilation * (layer.KernelSize - 1)) - 1;
            long h = Extent(input[1]), w = Extent(input[2]);
            if (h < 0 || w < 0)
            {
                return Fail($"Layer '{name}' has a {Number(layer.KernelSize)} x {Number(layer.KernelSize)} window (padding {Number(layer.Padding)}, dilation {Number(dilation)}) that does not fit the {Number(input[1])} x {Number(input[2])} planes {from} produces {GraphShapes.Format(input)}");
            }

            return [channels, (int)(h / stride) + 1, (int)(w / stride) + 1];
        }
    }

    // Blocks and offsets are int-addressed at run time.
    private static void CheckSizes(ModelSpec spec, GraphShapes shapes, Problems problems)
    {
        var plan = GraphPlanner.Plan(spec);
        var batchTarget = ProblemTarget.Model(ProblemTargetKind.MaxBatch);
        if (plan.WeightBlockBytes > ModelLimits.MaxBlockBytes)
        {
            problems.OutOfRange(ProblemTarget.Model(ProblemTargetKind.ModelAttribute),
                $"The weight block of '{spec.Type.Name}' needs {Count(plan.WeightBlockBytes)} bytes; a model's weights are limited to {Count(ModelLimits.MaxBlockBytes)} bytes (2 GiB)");
        }

        var maxBatch = spec.Options.MaxBatch;
        var block = plan.FixedScratchBytes + (plan.PeakBytesPerSample * maxBatch);
        if (block > ModelLimits.MaxBlockBytes)
        {
            problems.OutOfRange(batchTarget,
                $"At MaxBatch {Count(maxBatch)} the activation block needs {Count(block)} bytes; it is limited to {Count(ModelLimits.MaxBlockBytes)}: lower MaxBatch or shrink the layers");
            return;
        }

        var widest = Math.Max(GraphShapes.Size(plan.InputShape.ToArray()), GraphShapes.Size(plan.OutputShape.ToArray()));
        if (maxBatch * widest > int.MaxValue)
        {
            problems.OutOfRange(batchTarget,
                $"At MaxBatch {Count(maxBatch)} a Forward input or output of {Count(widest)} values per sample holds {Count(maxBatch * widest)} floats, more than a span can ({Count(int.MaxValue)}): lower MaxBatch");
        }

        _ = shapes;
    }
}
