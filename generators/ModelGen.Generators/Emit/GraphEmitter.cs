using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ModelGen.Generators.Model;
using ModelGen.Generators.Model.Graph;
using static ModelGen.Generators.Emit.ModelEmitter;

namespace ModelGen.Generators.Emit;

/// <summary>
/// Writes the generated half of a graph model: constants, the plan as <c>GraphLayer</c> object initializers, the
/// activation plan and memory report, the layer properties, loading/saving/disposal, and a <c>Forward</c> that hands the
/// plan to <c>GraphExecutor</c>. Every shape and offset is a literal.
/// </summary>
internal static class GraphEmitter
{
    private const string GraphLayer = "global::ModelGen.GraphLayer";
    private const string BackendField = "_modelBackend";
    private const string PlanValidatedField = "s_planValidated";

    /// <summary>The source of the generated file.</summary>
    public static string Emit(ModelSpec spec, ModelPlan modelPlan, GraphModelPlan plan)
    {
        var writer = new IndentedWriter();
        var type = CSharpCode.Identifier(spec.Type.Name);
        TypeScaffold.Open(writer, spec, $"partial class {type} : global::ModelGen.IModel<{type}>");
        WriteConstants(writer, plan, modelPlan.MemoryBudgetBytes);
        writer.Line();
        WriteLayerTable(writer, plan);
        writer.Line();
        WritePlanAndMemory(writer, spec, plan);
        writer.Line();
        for (var i = 0; i < spec.GraphLayers.Count; i++)
        {
            var property = spec.GraphLayers[i].Property;
            if (property.IsBlockMember)
            {
                continue;
            }

            writer.Line($"{property.Modifiers} {GraphLayer} {CSharpCode.Identifier(property.Name)} => {GeneratedNames.LayersField}[{i}];");
        }

        writer.Line();
        WriteLifetime(writer, spec);
        writer.Line();
        WriteForward(writer, spec);
        writer.Line();
        writer.Lines($"""
            int global::ModelGen.IModel.InputFeatures => InputFeatures;
            int global::ModelGen.IModel.OutputFeatures => OutputFeatures;
            int global::ModelGen.IModel.MaxBatch => MaxBatch;
            global::ModelGen.ModelMemoryReport global::ModelGen.IModel.Memory => Memory;
            global::System.Collections.Generic.IReadOnlyList<string> global::ModelGen.IModel.ObservedLayerNames => s_layerNames;

            private static readonly string[] s_layerNames = global::System.Array.ConvertAll(s_layers, static layer => layer.Name);
            global::ModelGen.IModel global::ModelGen.IModel.CreateWorker() => CreateWorker();
            """);
        TypeScaffold.Close(writer, spec);
        return writer.ToString();
    }

    private static void WriteConstants(IndentedWriter writer, GraphModelPlan plan, long? budget)
    {
        writer.Lines($$"""
            /// <summary>Floats per sample that <c>Forward</c> reads: the elements of <c>InputShape</c>.</summary>
            public const int InputFeatures = {{GraphShapes.Size(plan.InputShape.ToArray())}};
            /// <summary>Floats per sample that <c>Forward</c> writes: the elements of <c>OutputShape</c>.</summary>
            public const int OutputFeatures = {{GraphShapes.Size(plan.OutputShape.ToArray())}};
            /// <summary>Largest batch <c>Forward</c> accepts; the activation block is planned for it.</summary>
            public const int MaxBatch = {{plan.MaxBatch}};
            /// <summary>Bytes of the native weight block; every tensor in it starts on a 64-byte boundary.</summary>
            public const long WeightBlockBytes = {{plan.WeightBlockBytes}};
            /// <summary>Bytes of all weights, scales and biases at their precisions, without padding.</summary>
            public const long WeightBytes = {{plan.WeightBytes}};
            /// <summary>Bytes the same tensors would take in fp32.</summary>
            public const long Float32WeightBytes = {{plan.Float32WeightBytes}};
            /// <summary>Batch-independent scratch at the start of the activation block (the largest convolution workspace).</summary>
            public const long FixedScratchBytes = {{plan.FixedScratchBytes}};
            /// <summary>Planned activation bytes per sample: tensors share space once their last reader has run.</summary>
            public const long ActivationBytesPerSample = {{plan.PeakBytesPerSample}};
            /// <summary>Bytes of the native activation block at <c>MaxBatch</c>: fixed scratch plus the per-sample plan times the batch.</summary>
            public const long ActivationBlockBytes = {{plan.ActivationBlockBytes}};
            /// <summary>Native bytes one instance allocates: the weight block plus the activation block.</summary>
            public const long TotalBytes = WeightBlockBytes + ActivationBlockBytes;
            """);
        if (budget is { } bytes)
        {
            writer.Lines($$"""
                /// <summary>The model's <c>MemoryBudget</c>, in bytes.</summary>
                public const long MemoryBudgetBytes = {{bytes}};
                """);
        }

        writer.Lines($$"""

            /// <summary>Shape of one input sample, without the batch (PyTorch's order).</summary>
            public static global::System.Collections.Generic.IReadOnlyList<int> InputShape { get; } = {{Ints(plan.InputShape)}};
            /// <summary>Shape of one output sample, without the batch.</summary>
            public static global::System.Collections.Generic.IReadOnlyList<int> OutputShape { get; } = {{Ints(plan.OutputShape)}};
            """);
    }

    private static void WriteLayerTable(IndentedWriter writer, GraphModelPlan plan)
    {
        writer.Line($"private static readonly {GraphLayer}[] {GeneratedNames.LayersField} =");
        writer.Line($"[");
        writer.Indent();
        foreach (var layer in plan.Layers)
        {
            writer.Line($"new() {{ {string.Join(", ", Initializers(layer))} }},");
        }

        writer.Unindent();
        writer.Lines($$"""
            ];

            /// <summary>The layers in declaration order: shapes, fusion, and where their tensors sit in the weight and activation blocks.</summary>
            public static global::System.Collections.Generic.IReadOnlyList<{{GraphLayer}}> Layers => {{GeneratedNames.LayersField}};
            """);
    }

    // Only the properties that differ from GraphLayer's defaults.
    private static IEnumerable<string> Initializers(GraphLayerPlan layer)
    {
        yield return Invariant($"Index = {layer.Index}");
        yield return $"Name = {CSharpCode.String(layer.Name)}";
        yield return $"Kind = global::ModelGen.LayerKind.{layer.Kind}";
        if (layer.Precision != LayerPrecision.Float32)
        {
            yield return $"Precision = global::ModelGen.Precision.{layer.Precision}";
        }

        if (layer.Activation != LayerActivation.None)
        {
            yield return $"Activation = global::ModelGen.Activation.{layer.Activation}";
        }

        if (layer.InputQuantization != LayerInputQuantization.Dynamic)
        {
            yield return $"InputQuantization = global::ModelGen.InputQuantization.{layer.InputQuantization}";
        }

        yield return $"InputShape = {Ints(layer.InputShape)}";
        yield return $"OutputShape = {Ints(layer.OutputShape)}";
        if (layer.Window.Count > 0)
        {
            yield return $"Window = new global::ModelGen.Kernels.Conv2dShape({string.Join(", ", layer.Window.Select(static v => v.ToString(CultureInfo.InvariantCulture)))})";
        }

        if (layer.Epsilon != 0)
        {
            yield return $"Epsilon = {((float)layer.Epsilon).ToString("R", CultureInfo.InvariantCulture)}F";
        }

        if (layer.HasBias)
        {
            yield return "HasBias = true";
        }

        if (layer.FoldedBatchNorm is { } folded)
        {
            yield return $"FoldedBatchNorm = {CSharpCode.String(folded)}";
        }

        foreach (var (name, value, defaultValue) in new[] { ("ExecutedBy", layer.ExecutedBy, -1), ("Source", layer.Source, -1), ("Source2", layer.Source2, -2) })
        {
            if (value != defaultValue)
            {
                yield return Invariant($"{name} = {value}");
            }
        }

        foreach (var (name, value) in new[] { ("InputOffset", layer.InputOffset), ("Input2Offset", layer.Input2Offset), ("OutputOffset", layer.OutputOffset),
            ("RowScratchOffset", layer.RowScratchOffset) })
        {
            if (value != GraphLayerPlan.None)
            {
                yield return $"{name} = {Offset(value)}";
            }
        }

        if (layer.RowScratchBytes != 0)
        {
            yield return Invariant($"RowScratchBytes = {layer.RowScratchBytes}");
        }

        if (layer.ScratchOffset != GraphLayerPlan.None)
        {
            yield return Invariant($"ScratchOffset = {layer.ScratchOffset}");
        }

        if (layer.ScratchBytes != 0)
        {
            yield return Invariant($"ScratchBytes = {layer.ScratchBytes}");
        }

        foreach (var (name, value) in new[] { ("WeightOffset", layer.WeightOffset), ("ScaleOffset", layer.ScaleOffset), ("BiasOffset", layer.BiasOffset),
            ("InputScaleOffset", layer.InputScaleOffset) })
        {
            if (value != GraphLayerPlan.None)
            {
                yield return Invariant($"{name} = {value}");
            }
        }
    }

    private static string Offset(long value) => value switch
    {
        GraphLayerPlan.ModelInput => $"{GraphLayer}.ModelInput",
        GraphLayerPlan.ModelOutput => $"{GraphLayer}.ModelOutput",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    private static string Ints(EquatableArray<int> values) =>
        "[" + string.Join(", ", values.Select(static v => v.ToString(CultureInfo.InvariantCulture))) + "]";

    private static void WritePlanAndMemory(IndentedWriter writer, ModelSpec spec, GraphModelPlan plan)
    {
        writer.Lines($$"""
            /// <summary>How the activation block was planned: fixed scratch, and per sample the planned peak, the naive total and the lower bound.</summary>
            public static global::ModelGen.ActivationPlan Plan { get; } = new(FixedScratchBytes, ActivationBytesPerSample, {{plan.NaiveBytesPerSample}}, {{plan.LowerBoundBytesPerSample}});

            /// <summary>The memory this model takes, computed at build time.</summary>
            public static global::ModelGen.ModelMemoryReport Memory { get; } = new(
                {{CSharpCode.String(spec.Type.Name)}},
                MaxBatch,
                [
            """);
        writer.Indent();
        writer.Indent();
        foreach (var line in plan.Memory)
        {
            writer.Line($"new global::ModelGen.LayerMemory({CSharpCode.String(line.Name)}, global::ModelGen.Precision.{line.Precision}, {line.Bytes}, {line.Float32Bytes}, {CSharpCode.String(line.Storage)}),");
        }

        writer.Unindent();
        writer.Lines($$"""
            ],
            WeightBlockBytes,
            ActivationBytesPerSample,
            ActivationBlockBytes)
            {
                Plan = Plan,
            };
            """);
        writer.Unindent();
        writer.Lines($$"""

            /// <summary>
            /// The largest batch whose weight block plus activation block fit <paramref name="budgetBytes"/> (at most
            /// <c>MaxBatch</c>), from the exact plan; 0 when not even one sample fits.
            /// </summary>
            /// <param name="budgetBytes">The memory budget, in bytes.</param>
            /// <returns>The batch, 0 to <c>MaxBatch</c>.</returns>
            public static int LargestBatchWithin(long budgetBytes)
            {
                var left = budgetBytes - WeightBlockBytes - FixedScratchBytes;
            """);
        writer.Indent();
        if (plan.PeakBytesPerSample == 0)
        {
            writer.Line($"return left >= 0 ? MaxBatch : 0;");
        }
        else
        {
            writer.Line($"return left < ActivationBytesPerSample ? 0 : (int)global::System.Math.Min(MaxBatch, left / ActivationBytesPerSample);");
        }

        writer.Unindent();
        writer.Line($"}}");
    }

    private static void WriteLifetime(IndentedWriter writer, ModelSpec spec)
    {
        var type = CSharpCode.Identifier(spec.Type.Name);
        var name = CSharpCode.String(spec.Type.Name);
        var layers = GeneratedNames.LayersField;
        var state = GeneratedNames.StateField;
        writer.Lines($$"""
            private static bool {{PlanValidatedField}};

            private readonly global::ModelGen.ModelState {{state}};
            private global::ModelGen.ILayerBackend {{BackendField}} = global::ModelGen.CpuLayerBackend.Instance;

            private {{type}}(global::ModelGen.NativeBlock weights) =>
                {{state}} = new({{name}}, weights, ActivationBlockBytes);

            private {{type}}(global::ModelGen.ModelState state) =>
                {{state}} = state;

            /// <summary>Where the layers run; the CPU kernels (<c>CpuLayerBackend.Instance</c>) by default.</summary>
            /// <exception cref="global::System.ArgumentNullException">The value is null.</exception>
            public global::ModelGen.ILayerBackend Backend
            {
                get => {{BackendField}};
                set => {{BackendField}} = value ?? throw new global::System.ArgumentNullException(nameof(value));
            }

            /// <summary>
            /// Loads the weights from a safetensors file (a PyTorch state_dict in fp32, fp16 or bf16, or a file written by
            /// <c>Save</c>), folding BatchNorm layers and converting them to each layer's precision.
            /// </summary>
            /// <param name="path">The weight file.</param>
            /// <param name="options">Load options; null for the defaults.</param>
            /// <returns>A model instance that owns native memory: dispose it.</returns>
            public static {{type}} Load(string path, global::ModelGen.LoadOptions? options = null)
            {
                using var stream = global::System.IO.File.OpenRead(path);
                return Load(stream, options);
            }

            /// <summary>Loads the weights from a safetensors stream, folding BatchNorm layers and converting them to each layer's precision.</summary>
            /// <param name="stream">The weight file's content.</param>
            /// <param name="options">Load options; null for the defaults.</param>
            /// <returns>A model instance that owns native memory: dispose it.</returns>
            public static {{type}} Load(global::System.IO.Stream stream, global::ModelGen.LoadOptions? options = null)
            {
                if (!{{PlanValidatedField}})
                {
                    // Once per process: the build-time plan against the runtime's scratch needs.
                    global::ModelGen.Graph.GraphExecutor.Validate({{name}}, {{layers}}, Plan, WeightBlockBytes);
                    {{PlanValidatedField}} = true;
                }

                var weights = global::ModelGen.Graph.GraphModelIO.Load(stream, {{name}}, {{layers}}, WeightBlockBytes, options);
                try
                {
                    return new {{type}}(weights);
                }
                catch
                {
                    weights.Dispose();
                    throw;
                }
            }

            /// <summary>Saves the packed weights (BatchNorm folded, quantized values and scales as they are) as a safetensors file.</summary>
            /// <param name="path">The file to create or overwrite.</param>
            public void Save(string path)
            {
                using var stream = global::System.IO.File.Create(path);
                Save(stream);
            }

            /// <summary>Writes the packed weights (BatchNorm folded, quantized values and scales as they are) as safetensors.</summary>
            /// <param name="stream">The stream to write to.</param>
            public void Save(global::System.IO.Stream stream) =>
                global::ModelGen.Graph.GraphModelIO.Save(stream, {{name}}, {{layers}}, {{state}}.Weights);

            /// <summary>
            /// A new instance that shares this one's weight block (read-only, not copied) and has its own activation
            /// block, so it can run <c>Forward</c> in another thread at the same time. It starts with this instance's
            /// <c>Backend</c>. The weights stay allocated until this instance and every worker are disposed, in any order.
            /// </summary>
            /// <returns>A worker that owns its activation block and a share of the weights: dispose it.</returns>
            public {{type}} CreateWorker() => new({{state}}.ShareWeights()) { {{BackendField}} = {{BackendField}} };

            /// <summary>Whether <c>Dispose</c> has freed this instance's native memory.</summary>
            public bool IsDisposed => {{state}}.IsDisposed;

            /// <summary>Frees the activation block and the weight block (once no worker shares it).</summary>
            public void Dispose() => {{state}}.Dispose();
            """);
    }

    private static void WriteForward(IndentedWriter writer, ModelSpec spec)
    {
        var state = GeneratedNames.StateField;
        writer.Lines($$"""
            /// <summary>
            /// Runs the model on <paramref name="batch"/> samples. Allocates nothing; one call at a time per instance
            /// (use one instance per thread).
            /// </summary>
            /// <param name="input"><c>batch * InputFeatures</c> floats, sample after sample.</param>
            /// <param name="output">Receives <c>batch * OutputFeatures</c> floats.</param>
            /// <param name="batch">Number of samples, 1 to <c>MaxBatch</c>.</param>
            public void Forward(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch) =>
                {{GeneratedNames.ForwardCore}}(input, output, batch, null);

            /// <summary>
            /// <c>Forward</c> that also hands the output of each layer that runs as its own step (before any softmax) to
            /// <paramref name="observer"/>, for accuracy analysis.
            /// </summary>
            /// <param name="input"><c>batch * InputFeatures</c> floats, sample after sample.</param>
            /// <param name="output">Receives <c>batch * OutputFeatures</c> floats.</param>
            /// <param name="batch">Number of samples, 1 to <c>MaxBatch</c>.</param>
            /// <param name="observer">Called after each executing layer with its output.</param>
            public void ForwardObserved(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, global::ModelGen.LayerOutputObserver observer)
            {
                global::System.ArgumentNullException.ThrowIfNull(observer);
                {{GeneratedNames.ForwardCore}}(input, output, batch, observer);
            }

            private void {{GeneratedNames.ForwardCore}}(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, global::ModelGen.LayerOutputObserver? observer)
            {
                global::ModelGen.ModelState.CheckForwardArguments({{CSharpCode.String(spec.Type.Name)}}, input.Length, output.Length, batch, InputFeatures, OutputFeatures, MaxBatch);
                {{state}}.Enter();
                try
                {
                    global::ModelGen.Graph.GraphExecutor.Forward({{GeneratedNames.LayersField}}, Plan, {{state}}.Weights, {{state}}.Activations, input, output, batch, {{BackendField}}, observer);
            """);
        if (spec.Options.Softmax)
        {
            writer.Lines($"""

                        // [Model(Softmax = true)]: each output row becomes a probability distribution
                        global::ModelGen.Kernels.Softmax.Rows(output, batch, OutputFeatures);
                """);
        }

        writer.Lines($$"""
                }
                finally
                {
                    {{state}}.Exit();
                }
            }
            """);
    }
}
