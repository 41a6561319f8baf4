using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using ModelGen.Generators.Model.Graph;

namespace ModelGen.Generators.Model;

/// <summary>
/// Decides whether a <see cref="ModelSpec"/> can be generated and, if not, why. The generator generates none of the
/// members of a model with problems; the analyzer reports them. Values the compiler could not bind are not judged (the
/// compiler already reports them).
/// </summary>
internal static class ModelValidator
{
    /// <summary>The problems of <paramref name="spec"/>; empty when it can be generated (binding errors aside).</summary>
    public static ImmutableArray<ModelProblem> Validate(ModelSpec spec)
    {
        var problems = new Problems();
        CheckDeclaration(spec, problems);
        var optionsInRange = CheckOptions(spec.Options, problems);
        if (spec.IsGraph)
        {
            GraphValidator.Check(spec, optionsInRange, problems);
            return problems.ToImmutable();
        }

        CheckGraphAttributesOnDenseChain(spec, problems);
        var layersInRange = true;
        for (var i = 0; i < spec.Layers.Count; i++)
        {
            CheckProperty(spec.Layers[i].Property, i, problems);
            layersInRange &= CheckArguments(spec.Layers[i], i, problems);
        }

        for (var i = 0; i < spec.Layers.Count; i++)
        {
            layersInRange &= LayerSchemeRules.Check(spec.Layers, i, problems);
        }

        CheckNames(spec.Layers, problems);
        CheckChain(spec.Layers, problems);
        if (optionsInRange && layersInRange && spec.Layers.Count > 0 && !spec.HasBindingErrors)
        {
            CheckSizes(spec, problems);
        }

        return problems.ToImmutable();
    }

    private static void CheckDeclaration(ModelSpec spec, Problems problems)
    {
        var type = spec.Type;
        var target = ProblemTarget.Model(ProblemTargetKind.ModelIdentifier);
        if (type.Keyword != "class")
        {
            problems.Declaration(target, $"'{type.Name}' is a {type.Keyword}; a model must be a class");
        }

        if (!type.IsPartial)
        {
            problems.Declaration(target, $"Model class '{type.Name}' must be partial: its loading, saving and Forward code is generated into another file");
        }

        if (type.IsGeneric)
        {
            problems.Declaration(target, $"Model class '{type.Name}' must not be generic: its shapes and offsets are constants");
        }

        if (type.IsStatic || type.IsAbstract)
        {
            problems.Declaration(target, $"Model class '{type.Name}' must not be {(type.IsStatic ? "static" : "abstract")}: Load creates instances of it");
        }

        if (type.IsFileLocal)
        {
            problems.Declaration(target, $"Model class '{type.Name}' must not be file-local: its generated members live in another file");
        }

        foreach (var outer in spec.ContainingTypes)
        {
            if (!outer.IsPartial || outer.IsGeneric || outer.IsFileLocal)
            {
                problems.Declaration(target,
                    $"Model class '{type.Name}' is nested in '{outer.Name}', which must be partial, non-generic and not file-local so the generated code can be nested in it too");
            }
        }

        if (spec.IsGraph && spec.GraphLayers.Count == 0)
        {
            problems.Declaration(target, $"Graph model class '{type.Name}' declares no layers: add 'public partial GraphLayer Name {{ get; }}' properties with layer attributes such as [Conv2d(1, 16, 3)]");
        }
        else if (!spec.IsGraph && spec.Layers.Count == 0)
        {
            problems.Declaration(target, $"Model class '{type.Name}' declares no layers: add 'public partial DenseLayer Name {{ get; }}' properties with [Dense(in, out)]");
        }
    }

    // Layer attributes other than [Dense] need a graph model; in a Dense chain they would be silently ignored.
    private static void CheckGraphAttributesOnDenseChain(ModelSpec spec, Problems problems)
    {
        for (var i = 0; i < spec.GraphLayers.Count; i++)
        {
            var layer = spec.GraphLayers[i];
            problems.Declaration(ProblemTarget.GraphLayer(ProblemTargetKind.LayerAttribute, i),
                $"[{layer.AttributeName}] on '{layer.Property.Name}' needs a graph model: set [Model(InputShape = new[] {{ ... }})] on '{spec.Type.Name}' and declare its layers as GraphLayer properties");
        }
    }

    private static void CheckProperty(LayerPropertySpec property, int index, Problems problems)
    {
        var target = ProblemTarget.Layer(ProblemTargetKind.LayerIdentifier, index);
        var name = property.Name;
        if (property.IsIndexer)
        {
            problems.Declaration(target, "A layer must be a property, not an indexer");
            return;
        }

        if (!property.IsDenseLayer)
        {
            problems.Declaration(target, $"Layer property '{name}' must be of type ModelGen.DenseLayer, not '{property.TypeName}'");
        }

        if (property.IsStatic)
        {
            problems.Declaration(target, $"Layer property '{name}' must not be static");
        }

        if (property.HasSetter)
        {
            problems.Declaration(target, $"Layer property '{name}' must be get-only: the generator implements it");
        }

        if (!property.IsPartialDefinition)
        {
            problems.Declaration(target, $"Layer property '{name}' must be declared partial without a body, e.g. 'public partial DenseLayer {name} {{ get; }}'");
        }

        if (GeneratedNames.Members.Contains(name) || GeneratedNames.LayerField(name) == GeneratedNames.LayersField)
        {
            problems.Declaration(target, $"Layer property '{name}' clashes with a member the generator declares; rename it and set [Dense(..., Name = \"...\")] to keep the tensor name");
        }
    }

    private static bool CheckArguments(DenseSpec layer, int index, Problems problems)
    {
        if (!layer.IsBound)
        {
            return true;
        }

        var name = layer.Property.Name;
        var inRange = CheckWidth(layer.InFeatures, "InFeatures", name, ProblemTarget.Layer(ProblemTargetKind.InFeatures, index), problems);
        inRange &= CheckWidth(layer.OutFeatures, "OutFeatures", name, ProblemTarget.Layer(ProblemTargetKind.OutFeatures, index), problems);
        if (!IsDefined(layer.Activation))
        {
            problems.OutOfRange(ProblemTarget.Layer(ProblemTargetKind.Activation, index),
                $"Activation of layer '{name}' is {Number((int)layer.Activation)}, which is not a defined ModelGen.Activation value");
            inRange = false;
        }

        if (!IsDefined(layer.Precision))
        {
            problems.OutOfRange(ProblemTarget.Layer(ProblemTargetKind.Precision, index),
                $"Precision of layer '{name}' is {Number((int)layer.Precision)}, which is not a defined ModelGen.Precision value");
            inRange = false;
        }

        if (layer.Name is { } tensorName && !IsValidTensorName(tensorName))
        {
            problems.OutOfRange(ProblemTarget.Layer(ProblemTargetKind.Name, index),
                $"Name of layer '{name}' must be a non-blank tensor name without '\"' or control characters; leave it unset to use '{TensorNames.FromPropertyName(name)}'");
            inRange = false;
        }

        return inRange;
    }

    private static bool CheckWidth(int value, string argument, string layerName, ProblemTarget target, Problems problems)
    {
        if (value is >= 1 and <= ModelLimits.MaxFeatures)
        {
            return true;
        }

        problems.OutOfRange(target,
            $"{argument} of layer '{layerName}' is {Count(value)}; it must be between 1 and {Count(ModelLimits.MaxFeatures)}");
        return false;
    }

    private static bool CheckOptions(ModelOptionsSpec options, Problems problems)
    {
        if (!options.IsBound)
        {
            return true;
        }

        var inRange = true;
        if (options.MaxBatch is < 1 or > ModelLimits.MaxBatch)
        {
            problems.OutOfRange(ProblemTarget.Model(ProblemTargetKind.MaxBatch),
                $"MaxBatch is {Count(options.MaxBatch)}; it must be between 1 and {Count(ModelLimits.MaxBatch)}");
            inRange = false;
        }

        if (options.ActivationPrecision is not (LayerPrecision.Float32 or LayerPrecision.Float16 or LayerPrecision.BFloat16))
        {
            problems.OutOfRange(ProblemTarget.Model(ProblemTargetKind.ActivationPrecision),
                $"ActivationPrecision is {(IsDefined(options.ActivationPrecision) ? options.ActivationPrecision.ToString() : Number((int)options.ActivationPrecision))}; activations are stored as Float32, Float16 or BFloat16");
            inRange = false;
        }

        if (options.WeightPrecision != LayerPrecision.Float32
            && (options.InputShape is null || options.WeightPrecision is not (LayerPrecision.Float16 or LayerPrecision.BFloat16 or LayerPrecision.Int8)))
        {
            problems.OutOfRange(ProblemTarget.Model(ProblemTargetKind.WeightPrecision), options.InputShape is null
                ? "WeightPrecision applies to graph models (InputShape set); on a chain of [Dense] layers set Precision on each layer"
                : $"WeightPrecision is {(IsDefined(options.WeightPrecision) ? options.WeightPrecision.ToString() : Number((int)options.WeightPrecision))}; a graph model's default weight precision is Float32, Float16, BFloat16 or Int8");
            inRange = false;
        }

        if (options.MemoryBudget is { } budget && !MemoryBudget.TryParse(budget, out _))
        {
            problems.OutOfRange(ProblemTarget.Model(ProblemTargetKind.MemoryBudget),
                $"MemoryBudget \"{budget}\" is not a size; write {MemoryBudget.AcceptedSyntax}");
            inRange = false;
        }

        return inRange;
    }

    // Tensor names key the weight file, and each layer's field is named after its property: both must be unique.
    private static void CheckNames(EquatableArray<DenseSpec> layers, Problems problems)
    {
        var tensorOwners = new Dictionary<string, string>();
        var fieldOwners = new Dictionary<string, string>();
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var target = ProblemTarget.Layer(ProblemTargetKind.LayerIdentifier, i);
            if (layer.Property.IsIndexer)
            {
                continue;
            }

            if (tensorOwners.TryGetValue(layer.TensorName, out var tensorOwner))
            {
                problems.Declaration(target,
                    $"Layers '{tensorOwner}' and '{layer.Property.Name}' both use the tensor name '{layer.TensorName}'; set a different Name on one of them");
            }
            else if (fieldOwners.TryGetValue(GeneratedNames.LayerField(layer.Property.Name), out var fieldOwner))
            {
                problems.Declaration(target,
                    $"Layer properties '{fieldOwner}' and '{layer.Property.Name}' differ only in the case of their first letter; rename one of them");
            }

            tensorOwners[layer.TensorName] = layer.Property.Name;
            fieldOwners[GeneratedNames.LayerField(layer.Property.Name)] = layer.Property.Name;
        }
    }

    private static void CheckChain(EquatableArray<DenseSpec> layers, Problems problems)
    {
        for (var i = 1; i < layers.Count; i++)
        {
            var previous = layers[i - 1];
            var layer = layers[i];
            if (previous.IsBound && layer.IsBound && layer.InFeatures != previous.OutFeatures)
            {
                problems.ShapeMismatch(ProblemTarget.Layer(ProblemTargetKind.InFeatures, i),
                    layer.Property.Name, Number(layer.InFeatures), previous.Property.Name, Number(previous.OutFeatures),
                    Number(previous.InFeatures), Number(previous.OutFeatures), Number(layer.InFeatures), Number(layer.OutFeatures));
            }
        }
    }

    // Blocks and offsets are int-addressed at run time; only checked once every value is in range.
    private static void CheckSizes(ModelSpec spec, Problems problems)
    {
        var plan = ModelPlanner.Plan(spec);
        CheckWeightBlock(spec, plan, problems);
        var maxBatch = spec.Options.MaxBatch;
        var batchTarget = ProblemTarget.Model(ProblemTargetKind.MaxBatch);
        if (plan.Activations.BlockBytes > ModelLimits.MaxBlockBytes)
        {
            problems.OutOfRange(batchTarget,
                $"At MaxBatch {Count(maxBatch)} the activation block needs {Count(plan.Activations.BlockBytes)} bytes; it is limited to {Count(ModelLimits.MaxBlockBytes)}: lower MaxBatch or narrow the layers");
            return;
        }

        var widest = Math.Max(spec.Layers[0].InFeatures, spec.Layers[spec.Layers.Count - 1].OutFeatures);
        if ((long)maxBatch * widest > int.MaxValue)
        {
            problems.OutOfRange(batchTarget,
                $"At MaxBatch {Count(maxBatch)} a Forward input or output of {Count(widest)} features per sample holds {Count((long)maxBatch * widest)} floats, more than a span can ({Count(int.MaxValue)}): lower MaxBatch");
        }
    }

    private static void CheckWeightBlock(ModelSpec spec, ModelPlan plan, Problems problems)
    {
        var tooLarge = false;
        for (var i = 0; i < plan.Layers.Count; i++)
        {
            var matrixBytes = plan.Layers[i].WeightMatrixBytes;
            if (matrixBytes > ModelLimits.MaxBlockBytes)
            {
                var layer = spec.Layers[i];
                problems.OutOfRange(ProblemTarget.Layer(ProblemTargetKind.LayerAttribute, i),
                    $"Layer '{layer.Property.Name}' has {Count(matrixBytes)} bytes of {layer.Precision} weights; a layer's weights are limited to {Count(ModelLimits.MaxBlockBytes)} bytes (2 GiB)");
                tooLarge = true;
            }
        }

        for (var i = 0; i < plan.Layers.Count && !tooLarge; i++)
        {
            var end = ModelPlanner.Align(plan.Layers[i].End);
            if (end > ModelLimits.MaxBlockBytes)
            {
                problems.OutOfRange(ProblemTarget.Layer(ProblemTargetKind.LayerAttribute, i),
                    $"The weight block grows to {Count(end)} bytes at layer '{spec.Layers[i].Property.Name}'; a model's weights are limited to {Count(ModelLimits.MaxBlockBytes)} bytes (2 GiB)");
                tooLarge = true;
            }
        }
    }

    private static bool IsValidTensorName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c == '"' || char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDefined(LayerActivation activation) => activation is >= LayerActivation.None and <= LayerActivation.Gelu;

    private static bool IsDefined(LayerPrecision precision) => precision is >= LayerPrecision.Float32 and <= LayerPrecision.Codebook256;

    /// <summary>A count with thousands separators, culture-invariant.</summary>
    internal static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A number, culture-invariant.</summary>
    internal static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Collects problems; each rule's message format is in the analyzer's descriptor.</summary>
    internal sealed class Problems
    {
        private readonly ImmutableArray<ModelProblem>.Builder _items = ImmutableArray.CreateBuilder<ModelProblem>();

        public int Count => _items.Count;

        public void ShapeMismatch(ProblemTarget target, params string[] messageArgs) =>
            _items.Add(new ModelProblem(ModelRule.LayerShapeMismatch, target, new EquatableArray<string>(messageArgs)));

        public void OutOfRange(ProblemTarget target, string message) =>
            _items.Add(new ModelProblem(ModelRule.AttributeValueOutOfRange, target, new EquatableArray<string>([message])));

        public void Declaration(ProblemTarget target, string message) =>
            _items.Add(new ModelProblem(ModelRule.InvalidModelDeclaration, target, new EquatableArray<string>([message])));

        public void GraphShape(ProblemTarget target, string message) =>
            _items.Add(new ModelProblem(ModelRule.GraphShapeMismatch, target, new EquatableArray<string>([message])));

        public void Incompatible(ProblemTarget target, string message) =>
            _items.Add(new ModelProblem(ModelRule.IncompatibleLayerOptions, target, new EquatableArray<string>([message])));

        public ImmutableArray<ModelProblem> ToImmutable() => _items.ToImmutable();
    }
}
