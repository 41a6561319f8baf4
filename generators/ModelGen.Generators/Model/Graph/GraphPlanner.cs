using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Graph;

namespace ModelGen.Generators.Model.Graph;

/// <summary>
/// Plans a valid graph model: which layers run as their own step (fusion), where their weights sit in the weight block,
/// and where their tensors sit in the activation block (through <see cref="ActivationPlanner"/>). Scratch sizes come
/// only from <see cref="GraphScratch"/>, the source the runtime shares.
/// </summary>
internal static class GraphPlanner
{
    /// <summary>Plans <paramref name="spec"/>, which the validator accepted.</summary>
    public static GraphModelPlan Plan(ModelSpec spec)
    {
        var layers = spec.GraphLayers;
        var n = layers.Count;
        var shapes = GraphValidator.Resolve(spec, null);
        var fusion = Fuse(spec, shapes);
        var plans = new GraphLayerPlan[n];
        for (var i = 0; i < n; i++)
        {
            plans[i] = Describe(layers[i], i, shapes, fusion);
        }

        var memory = PlaceWeights(layers, plans, out var weightEnd, out var weightBytes, out var float32Bytes);
        var fixedScratch = PlaceFixedScratch(plans);
        var tensors = Lifetimes(plans, shapes.OutputLayer < 0 ? -1 : fusion.ExecutedBy(shapes.OutputLayer), out var readers);
        var layout = ActivationPlanner.Plan(tensors);
        PlaceTensors(plans, layout, readers, fusion.ExecutedBy(shapes.OutputLayer), n);
        return new GraphModelPlan(
            spec.Options.InputShape!.Value,
            plans[n - 1].OutputShape,
            new EquatableArray<GraphLayerPlan>(plans),
            memory.ToEquatableArray(),
            Math.Max(GraphScratch.Align(weightEnd), GraphScratch.Alignment),
            weightBytes,
            float32Bytes,
            fixedScratch,
            layout.PeakBytes,
            layout.NaiveBytes,
            layout.LowerBoundBytes,
            spec.Options.MaxBatch,
            tensors.ToEquatableArray());
    }

    /// <summary>The plan as the Dense planner's <see cref="ModelPlan"/>, so memory rules read graph models the same way.</summary>
    public static ModelPlan ToModelPlan(ModelSpec spec, long? budget)
    {
        var graph = Plan(spec);
        return new ModelPlan(
            default,
            graph.WeightBlockBytes,
            graph.WeightBytes,
            graph.Float32WeightBytes,
            new ActivationPlan(-1, -1, -1, -1, graph.ActivationBlockBytes, graph.PeakBytesPerSample),
            budget,
            graph);
    }

    /// <summary>The fusion decisions: who runs each layer, the activation each step applies, and the folded BatchNorms.</summary>
    internal sealed class Fusion(int[] executedBy, LayerActivation[] activations, string?[] folded)
    {
        /// <summary>The step whose output holds layer <paramref name="index"/>'s output; -1 the model input.</summary>
        public int ExecutedBy(int index) => index < 0 ? -1 : executedBy[index];

        public LayerActivation[] Activations { get; } = activations;

        public string?[] Folded { get; } = folded;
    }

    /// <summary>
    /// Decides fusion in declaration order. A BatchNorm2d folds into the Conv2d it reads when that convolution has no
    /// other reader, no activation of its own, and is not the model output. A standalone activation fuses into the
    /// step that produces its input (Conv2d, Dense, Add, LayerNorm or a standalone BatchNorm2d) when that step has no
    /// activation yet and the tensor no other reader. Views resolve to the step that produced what they view.
    /// </summary>
    internal static Fusion Fuse(ModelSpec spec, GraphShapes shapes)
    {
        var layers = spec.GraphLayers;
        var n = layers.Count;
        var readers = new int[n];
        for (var i = 0; i < n; i++)
        {
            if (shapes.Sources[i] >= 0)
            {
                readers[shapes.Sources[i]]++;
            }

            if (shapes.Sources2[i] >= 0)
            {
                readers[shapes.Sources2[i]]++;
            }
        }

        var executedBy = new int[n];
        var activations = new LayerActivation[n];
        var folded = new string?[n];
        for (var i = 0; i < n; i++)
        {
            var layer = layers[i];
            var source = shapes.Sources[i];
            executedBy[i] = i;
            activations[i] = layer.Kind is GraphLayerKind.Dense or GraphLayerKind.Conv2d or GraphLayerKind.Add or GraphLayerKind.Activation
                ? layer.Activation
                : LayerActivation.None;
            if (layer.IsView)
            {
                executedBy[i] = source < 0 ? -1 : executedBy[source];
            }
            else if (layer.Kind == GraphLayerKind.BatchNorm2d && source >= 0 && layers[source].Kind == GraphLayerKind.Conv2d
                && readers[source] == 1 && activations[source] == LayerActivation.None && source != shapes.OutputLayer)
            {
                executedBy[i] = source;
                folded[source] = layer.TensorName;
            }
            else if (layer.Kind == GraphLayerKind.Activation && source >= 0 && !layers[source].IsView && executedBy[source] is var producer
                && producer >= 0 && IsFusionTarget(layers[producer].Kind) && activations[producer] == LayerActivation.None
                && readers[source] == 1 && (producer == source || readers[producer] == 1) && source != shapes.OutputLayer)
            {
                executedBy[i] = producer;
                activations[producer] = layer.Activation;
            }
        }

        return new Fusion(executedBy, activations, folded);
    }

    private static bool IsFusionTarget(GraphLayerKind kind) =>
        kind is GraphLayerKind.Conv2d or GraphLayerKind.Dense or GraphLayerKind.Add or GraphLayerKind.LayerNorm or GraphLayerKind.BatchNorm2d;

    private static GraphLayerPlan Describe(GraphLayerSpec layer, int i, GraphShapes shapes, Fusion fusion)
    {
        var input = shapes.InputShapes[i]!;
        var output = shapes.OutputShapes[i]!;
        var executedBy = fusion.ExecutedBy(i);
        var plan = new GraphLayerPlan
        {
            Index = i,
            Name = layer.TensorName,
            Kind = layer.Kind,
            Precision = layer.HasWeightPrecision ? layer.Precision : LayerPrecision.Float32,
            InputQuantization = layer.HasStaticInput ? LayerInputQuantization.Static : LayerInputQuantization.Dynamic,
            Activation = executedBy == i || layer.Kind == GraphLayerKind.Activation ? fusion.Activations[i] : LayerActivation.None,
            InputShape = new EquatableArray<int>(input),
            OutputShape = new EquatableArray<int>(output),
            HasBias = layer.HasWeightPrecision && layer.Bias,
            FoldedBatchNorm = fusion.Folded[i],
            ExecutedBy = executedBy == i && !layer.IsView ? -1 : executedBy,
            Source = shapes.Sources[i],
            Source2 = shapes.Sources2[i],
            Epsilon = layer.Kind is GraphLayerKind.BatchNorm2d or GraphLayerKind.LayerNorm ? layer.Epsilon : 0,
        };
        return layer.Kind switch
        {
            GraphLayerKind.Conv2d => plan with
            {
                Window = new EquatableArray<int>([layer.In, layer.Out, input[1], input[2], layer.KernelSize, layer.KernelSize,
                    layer.Stride, layer.Stride, layer.Padding, layer.Padding, layer.Dilation, layer.Dilation, layer.Groups]),
            },
            GraphLayerKind.MaxPool2d or GraphLayerKind.AvgPool2d => plan with
            {
                Window = new EquatableArray<int>([input[0], input[0], input[1], input[2], layer.KernelSize, layer.KernelSize,
                    layer.EffectiveStride, layer.EffectiveStride, layer.Padding, layer.Padding, 1, 1, input[0]]),
            },
            _ => plan,
        };
    }

    private static long ElementBytes(LayerPrecision precision) => precision switch
    {
        LayerPrecision.Float32 => 4,
        LayerPrecision.Float16 or LayerPrecision.BFloat16 => 2,
        _ => 1,
    };

    // Each tensor starts at the next 64-byte boundary: weights, int8 scales, bias (Dense, Conv2d); scale, shift
    // (standalone BatchNorm2d); gamma, beta (LayerNorm).
    private static List<GraphLayerMemory> PlaceWeights(EquatableArray<GraphLayerSpec> layers, GraphLayerPlan[] plans,
        out long end, out long weightBytes, out long float32Bytes)
    {
        var memory = new List<GraphLayerMemory>();
        long cursor = 0;
        weightBytes = 0;
        float32Bytes = 0;
        for (var i = 0; i < plans.Length; i++)
        {
            var plan = plans[i];
            var layer = layers[i];
            if (!plan.Executes)
            {
                continue;
            }

            long bytes, fp32;
            string storage;
            switch (plan.Kind)
            {
                case GraphLayerKind.Dense or GraphLayerKind.Conv2d:
                {
                    long outputs = layer.Out;
                    long perOutput = plan.Kind == GraphLayerKind.Dense ? layer.In : (long)(layer.In / layer.Groups) * layer.KernelSize * layer.KernelSize;
                    var weights = outputs * perOutput;
                    var hasBias = layer.Bias || plan.FoldedBatchNorm is not null;
                    var weightOffset = Place(ref cursor, weights * ElementBytes(plan.Precision));
                    var scaleOffset = plan.Precision == LayerPrecision.Int8 ? Place(ref cursor, 4 * outputs) : GraphLayerPlan.None;
                    var biasOffset = hasBias ? Place(ref cursor, 4 * outputs) : GraphLayerPlan.None;
                    var isStatic = plan.InputQuantization == LayerInputQuantization.Static;
                    var inputScaleOffset = isStatic ? Place(ref cursor, 4) : GraphLayerPlan.None;
                    plans[i] = plan with { WeightOffset = weightOffset, ScaleOffset = scaleOffset, BiasOffset = biasOffset, InputScaleOffset = inputScaleOffset };
                    bytes = (weights * ElementBytes(plan.Precision)) + (plan.Precision == LayerPrecision.Int8 ? 4 * outputs : 0) + (hasBias ? 4 * outputs : 0)
                        + (isStatic ? 4 : 0);
                    fp32 = (4 * weights) + (hasBias ? 4 * outputs : 0);
                    storage = plan.FoldedBatchNorm is { } bn ? $"{plan.Precision}, {bn} folded" : plan.Precision.ToString();
                    if (isStatic)
                    {
                        storage += StaticInputStorage(plan);
                    }
                    break;
                }

                case GraphLayerKind.BatchNorm2d or GraphLayerKind.LayerNorm:
                {
                    long width = layer.In;
                    plans[i] = plan with { WeightOffset = Place(ref cursor, 4 * width), BiasOffset = Place(ref cursor, 4 * width) };
                    bytes = fp32 = 8 * width;
                    storage = plan.Kind == GraphLayerKind.BatchNorm2d ? "Float32 scale and shift" : "Float32";
                    break;
                }

                default:
                    continue;
            }

            weightBytes += bytes;
            float32Bytes += fp32;
            memory.Add(new GraphLayerMemory(plan.Name, plan.Precision, bytes, fp32, storage));
        }

        end = cursor;
        return memory;
    }

    // A static convolution that runs widened to fp32 keeps fp32 activations: its calibrated scale is stored but unused.
    private static string StaticInputStorage(GraphLayerPlan plan)
    {
        var w = plan.Window;
        if (plan.Kind == GraphLayerKind.Conv2d
            && !GraphScratch.ConvRunsInt8(new ConvGeometry(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12])))
        {
            return ", static input scale unused (runs widened to fp32)";
        }

        return ", static input";
    }

    // Convolutions share the fixed region from offset 0; it is as large as the largest need.
    private static long PlaceFixedScratch(GraphLayerPlan[] plans)
    {
        long largest = 0;
        for (var i = 0; i < plans.Length; i++)
        {
            var plan = plans[i];
            if (!plan.Executes || plan.Kind != GraphLayerKind.Conv2d)
            {
                continue;
            }

            var w = plan.Window;
            var geometry = new ConvGeometry(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12]);
            var bytes = GraphScratch.ConvBytes((int)plan.Precision, geometry);
            plans[i] = plan with { ScratchOffset = 0, ScratchBytes = bytes };
            largest = Math.Max(largest, bytes);
        }

        return largest;
    }

    // Tensor ids: a step's output is its layer index; its row scratch is the layer count plus its index.
    private static List<TensorLifetime> Lifetimes(GraphLayerPlan[] plans, int outputStep, out int[] lastReader)
    {
        var n = plans.Length;
        lastReader = new int[n];
        var steps = new List<int>();
        for (var i = 0; i < n; i++)
        {
            lastReader[i] = -1;
            if (plans[i].Executes)
            {
                steps.Add(i);
            }
        }

        foreach (var step in steps)
        {
            foreach (var tensor in InputTensors(plans, step))
            {
                if (tensor >= 0)
                {
                    lastReader[tensor] = Math.Max(lastReader[tensor], step);
                }
            }
        }

        var tensors = new List<TensorLifetime>();
        foreach (var step in steps)
        {
            var plan = plans[step];
            if (step != outputStep)
            {
                var inPlaceOf = -1;
                if (plan.Kind is GraphLayerKind.Add or GraphLayerKind.Activation or GraphLayerKind.BatchNorm2d
                    && Tensor(plans, plan.Source) is var input && input >= 0 && input != outputStep && lastReader[input] == step)
                {
                    inPlaceOf = input;
                }

                tensors.Add(new TensorLifetime(step, plan.OutputSize * 4, step, Math.Max(step, lastReader[step]), inPlaceOf));
            }

            if (plan.Kind == GraphLayerKind.Dense && GraphScratch.DenseRowBytes((int)plan.Precision, plan.InputShape[0]) is var row && row > 0)
            {
                tensors.Add(new TensorLifetime(n + step, row, step, step));
            }
        }

        return tensors;
    }

    /// <summary>The tensor (producing step, -1 the model input) holding the output of layer <paramref name="layer"/>.</summary>
    private static int Tensor(GraphLayerPlan[] plans, int layer) =>
        layer < 0 ? -1 : plans[layer].Executes ? layer : plans[layer].ExecutedBy;

    private static IEnumerable<int> InputTensors(GraphLayerPlan[] plans, int step)
    {
        yield return Tensor(plans, plans[step].Source);
        if (plans[step].Source2 >= -1)
        {
            yield return Tensor(plans, plans[step].Source2);
        }
    }

    private static void PlaceTensors(GraphLayerPlan[] plans, ActivationLayout layout, int[] lastReader, int outputStep, int n)
    {
        var offsets = layout.Placements.ToDictionary(static p => p.Id, static p => p.Offset);
        long OffsetOf(int tensor) => tensor < 0 ? GraphLayerPlan.ModelInput : tensor == outputStep ? GraphLayerPlan.ModelOutput : offsets[tensor];
        for (var i = 0; i < plans.Length; i++)
        {
            var plan = plans[i];
            if (!plan.Executes)
            {
                continue;
            }

            plan = plan with
            {
                InputOffset = OffsetOf(Tensor(plans, plan.Source)),
                OutputOffset = OffsetOf(i),
                Input2Offset = plan.Source2 >= -1 ? OffsetOf(Tensor(plans, plan.Source2)) : GraphLayerPlan.None,
            };
            if (offsets.TryGetValue(n + i, out var row))
            {
                plan = plan with { RowScratchOffset = row, RowScratchBytes = GraphScratch.DenseRowBytes((int)plan.Precision, plan.InputShape[0]) };
            }

            plans[i] = plan;
        }

        _ = lastReader;
    }

    private static long Place(ref long cursor, long bytes)
    {
        var offset = GraphScratch.Align(cursor);
        cursor = offset + bytes;
        return offset;
    }
}
