using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Emit;

/// <summary>
/// Writes the generated half of a model class from a valid spec and its plan: constants, the layer table, the memory
/// report, the layer properties, loading/saving/disposal and <c>Forward</c>. Every shape and offset is a literal.
/// </summary>
internal static class ModelEmitter
{
    private const string DenseLayer = "global::ModelGen.DenseLayer";

    /// <summary>The file name: <c>{Namespace}.{Outer}.{Type}.g.cs</c>.</summary>
    public static string HintName(ModelSpec spec) => HintName(spec.Namespace, spec.ContainingTypes, spec.Type);

    /// <summary>The generated file's name: the type's full name with its containing types, then <c>.g.cs</c>.</summary>
    public static string HintName(string @namespace, EquatableArray<TypeDeclarationSpec> containingTypes, TypeDeclarationSpec type)
    {
        var parts = new List<string>();
        if (@namespace.Length > 0)
        {
            parts.Add(@namespace);
        }

        parts.AddRange(containingTypes.Select(static outer => outer.Name));
        parts.Add(type.Name);
        return string.Join(".", parts) + ".g.cs";
    }

    /// <summary>The source of the generated file.</summary>
    public static string Emit(ModelSpec spec, ModelPlan plan)
    {
        if (plan.Graph is { } graph)
        {
            return GraphEmitter.Emit(spec, plan, graph);
        }

        var writer = new IndentedWriter();
        var type = CSharpCode.Identifier(spec.Type.Name);
        TypeScaffold.Open(writer, spec, $"partial class {type} : global::ModelGen.IModel<{type}>");
        WriteConstants(writer, spec, plan);
        writer.Line();
        WriteLayerTable(writer, spec, plan);
        writer.Line();
        WriteMemoryReport(writer, spec, plan);
        writer.Line();
        WriteLayerProperties(writer, spec);
        writer.Line();
        WriteLifetime(writer, spec);
        writer.Line();
        WriteForward(writer, spec, plan);
        writer.Line();
        WriteModelInterface(writer);
        TypeScaffold.Close(writer, spec);
        return writer.ToString();
    }

    private static void WriteConstants(IndentedWriter writer, ModelSpec spec, ModelPlan plan)
    {
        writer.Lines($$"""
            /// <summary>Floats per sample that <c>Forward</c> reads: the first layer's input width.</summary>
            public const int InputFeatures = {{spec.Layers[0].InFeatures}};
            /// <summary>Floats per sample that <c>Forward</c> writes: the last layer's output width.</summary>
            public const int OutputFeatures = {{spec.Layers[spec.Layers.Count - 1].OutFeatures}};
            /// <summary>Largest batch <c>Forward</c> accepts; the activation block is planned for it.</summary>
            public const int MaxBatch = {{spec.Options.MaxBatch}};
            /// <summary>Bytes of the native weight block; every tensor in it starts on a 64-byte boundary.</summary>
            public const long WeightBlockBytes = {{plan.WeightBlockBytes}};
            /// <summary>Bytes of all weights, scales and biases at their precisions, without padding.</summary>
            public const long WeightBytes = {{plan.WeightBytes}};
            /// <summary>Bytes the same layers would take with fp32 weights.</summary>
            public const long Float32WeightBytes = {{plan.Float32WeightBytes}};
            /// <summary>Activation and scratch bytes one sample needs.</summary>
            public const long ActivationBytesPerSample = {{plan.Activations.BytesPerSample}};
            /// <summary>Bytes of the native activation block, planned for <c>MaxBatch</c> samples.</summary>
            public const long ActivationBlockBytes = {{plan.Activations.BlockBytes}};
            /// <summary>Native bytes one instance allocates: the weight block plus the activation block.</summary>
            public const long TotalBytes = WeightBlockBytes + ActivationBlockBytes;
            """);
        if (plan.MemoryBudgetBytes is { } budget)
        {
            writer.Lines($$"""
                /// <summary>The model's <c>MemoryBudget</c>, in bytes.</summary>
                public const long MemoryBudgetBytes = {{budget}};
                """);
        }
    }

    private static void WriteLayerTable(IndentedWriter writer, ModelSpec spec, ModelPlan plan)
    {
        for (var i = 0; i < spec.Layers.Count; i++)
        {
            var layer = spec.Layers[i];
            var placement = plan.Layers[i];
            writer.Line($"private static readonly {DenseLayer} {Field(layer)} = new({CSharpCode.String(layer.TensorName)}, {placement.InFeatures}, {placement.OutFeatures}, {Precision(layer)}, {Activation(layer)}, {placement.WeightOffset}, {placement.ScaleOffset}, {placement.BiasOffset}){LayerInitializer(layer, placement)};");
        }

        var fields = string.Join(", ", spec.Layers.Select(Field));
        writer.Lines($$"""
            private static readonly {{DenseLayer}}[] {{GeneratedNames.LayersField}} = [{{fields}}];

            /// <summary>The layers in order: shapes, precisions and where their tensors sit in the weight block.</summary>
            public static global::System.Collections.Generic.IReadOnlyList<{{DenseLayer}}> Layers => {{GeneratedNames.LayersField}};
            """);
    }

    private static void WriteMemoryReport(IndentedWriter writer, ModelSpec spec, ModelPlan plan)
    {
        writer.Lines($$"""
            /// <summary>The memory this model takes, computed at build time.</summary>
            public static global::ModelGen.ModelMemoryReport Memory { get; } = new(
                {{CSharpCode.String(spec.Type.Name)}},
                MaxBatch,
                [
            """);
        writer.Indent();
        writer.Indent();
        for (var i = 0; i < spec.Layers.Count; i++)
        {
            var layer = spec.Layers[i];
            writer.Line($"new global::ModelGen.LayerMemory({CSharpCode.String(layer.TensorName)}, {Precision(layer)}, {plan.Layers[i].Bytes}, {plan.Layers[i].Float32Bytes}, {Field(layer)}.Storage),");
        }

        writer.Unindent();
        writer.Lines($"""
            ],
            WeightBlockBytes,
            ActivationBytesPerSample,
            ActivationBlockBytes);
            """);
        writer.Unindent();
    }

    // The implementation half of each partial property, with the modifiers the user declared.
    private static void WriteLayerProperties(IndentedWriter writer, ModelSpec spec)
    {
        foreach (var layer in spec.Layers)
        {
            writer.Line($"{layer.Property.Modifiers} {DenseLayer} {CSharpCode.Identifier(layer.Property.Name)} => {Field(layer)};");
        }
    }

    private static void WriteLifetime(IndentedWriter writer, ModelSpec spec)
    {
        var type = CSharpCode.Identifier(spec.Type.Name);
        var name = CSharpCode.String(spec.Type.Name);
        var layers = GeneratedNames.LayersField;
        var state = GeneratedNames.StateField;
        writer.Lines($$"""
            private readonly global::ModelGen.ModelState {{state}};

            private {{type}}(global::ModelGen.NativeBlock weights) =>
                {{state}} = new({{name}}, weights, ActivationBlockBytes);

            private {{type}}(global::ModelGen.ModelState state) =>
                {{state}} = state;

            /// <summary>
            /// Loads the weights from a safetensors file (a PyTorch state_dict in fp32, fp16 or bf16, or a file written by
            /// <c>Save</c>), converting them to each layer's precision.
            /// </summary>
            /// <param name="path">The weight file.</param>
            /// <param name="options">Load options; null for the defaults.</param>
            /// <returns>A model instance that owns native memory: dispose it.</returns>
            public static {{type}} Load(string path, global::ModelGen.LoadOptions? options = null)
            {
                using var stream = global::System.IO.File.OpenRead(path);
                return Load(stream, options);
            }

            /// <summary>Loads the weights from a safetensors stream, converting them to each layer's precision.</summary>
            /// <param name="stream">The weight file's content.</param>
            /// <param name="options">Load options; null for the defaults.</param>
            /// <returns>A model instance that owns native memory: dispose it.</returns>
            public static {{type}} Load(global::System.IO.Stream stream, global::ModelGen.LoadOptions? options = null)
            {
                var weights = global::ModelGen.IO.DenseModelIO.Load(stream, {{name}}, {{layers}}, WeightBlockBytes, options);
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

            /// <summary>Saves the packed weights (quantized values and scales as they are) as a safetensors file.</summary>
            /// <param name="path">The file to create or overwrite.</param>
            public void Save(string path)
            {
                using var stream = global::System.IO.File.Create(path);
                Save(stream);
            }

            /// <summary>Writes the packed weights (quantized values and scales as they are) as safetensors.</summary>
            /// <param name="stream">The stream to write to.</param>
            public void Save(global::System.IO.Stream stream) =>
                global::ModelGen.IO.DenseModelIO.Save(stream, {{name}}, {{layers}}, {{state}}.Weights);

            /// <summary>
            /// A new instance that shares this one's weight block (read-only, not copied) and has its own activation
            /// block, so it can run <c>Forward</c> in another thread at the same time. The weights stay allocated until
            /// this instance and every worker are disposed, in any order.
            /// </summary>
            /// <returns>A worker that owns its activation block and a share of the weights: dispose it.</returns>
            public {{type}} CreateWorker() => new({{state}}.ShareWeights());

            /// <summary>Whether <c>Dispose</c> has freed this instance's native memory.</summary>
            public bool IsDisposed => {{state}}.IsDisposed;

            /// <summary>Frees the activation block and the weight block (once no worker shares it).</summary>
            public void Dispose() => {{state}}.Dispose();
            """);
    }

    private static void WriteForward(IndentedWriter writer, ModelSpec spec, ModelPlan plan)
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
            """);
        writer.Line($"public void Forward(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch) =>");
        writer.Line($"    {GeneratedNames.ForwardCore}(input, output, batch, null);");
        writer.Lines($$"""

            /// <summary>
            /// <c>Forward</c> that also hands each layer's output (before any softmax) to <paramref name="observer"/>,
            /// for accuracy analysis.
            /// </summary>
            /// <param name="input"><c>batch * InputFeatures</c> floats, sample after sample.</param>
            /// <param name="output">Receives <c>batch * OutputFeatures</c> floats.</param>
            /// <param name="batch">Number of samples, 1 to <c>MaxBatch</c>.</param>
            /// <param name="observer">Called after each layer with its output.</param>
            public void ForwardObserved(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, global::ModelGen.LayerOutputObserver observer)
            {
                global::System.ArgumentNullException.ThrowIfNull(observer);
                {{GeneratedNames.ForwardCore}}(input, output, batch, observer);
            }

            """);
        writer.Open($"private void {GeneratedNames.ForwardCore}(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, global::ModelGen.LayerOutputObserver? observer)");
        writer.Line($"global::ModelGen.ModelState.CheckForwardArguments({CSharpCode.String(spec.Type.Name)}, input.Length, output.Length, batch, InputFeatures, OutputFeatures, MaxBatch);");
        writer.Line($"{state}.Enter();");
        writer.Open($"try");
        writer.Line($"var w = {state}.Weights;");
        if (spec.Layers.Count > 1 || plan.Activations.QuantizedInputOffset >= 0)
        {
            writer.Line($"var a = {state}.Activations;");
        }

        for (var i = 0; i < spec.Layers.Count; i++)
        {
            writer.Line();
            WriteLayerCall(writer, spec, plan, i);
        }

        if (spec.Options.Softmax)
        {
            writer.Line();
            writer.Line($"// [Model(Softmax = true)]: each output row becomes a probability distribution");
            writer.Line($"global::ModelGen.Kernels.Softmax.Rows(output, batch, OutputFeatures);");
        }

        writer.Close();
        writer.Open($"finally");
        writer.Line($"{state}.Exit();");
        writer.Close();
        writer.Close();
    }

    // IModel members whose natural names are taken by the constants above; the rest are implemented implicitly.
    private static void WriteModelInterface(IndentedWriter writer)
    {
        writer.Lines($"""
            int global::ModelGen.IModel.InputFeatures => InputFeatures;
            int global::ModelGen.IModel.OutputFeatures => OutputFeatures;
            int global::ModelGen.IModel.MaxBatch => MaxBatch;
            global::ModelGen.ModelMemoryReport global::ModelGen.IModel.Memory => Memory;
            global::ModelGen.IModel global::ModelGen.IModel.CreateWorker() => CreateWorker();
            """);
    }

    private static void WriteLayerCall(IndentedWriter writer, ModelSpec spec, ModelPlan plan, int index)
    {
        var layer = spec.Layers[index];
        var placement = plan.Layers[index];
        var activations = plan.Activations;
        int k = placement.InFeatures, n = placement.OutFeatures;
        var isLast = index == spec.Layers.Count - 1;
        var from = index == 0 ? "input" : BufferName(index - 1);
        var to = isLast ? "output" : BufferName(index);
        writer.Line($"// {layer.Property.Name}: Dense({k} -> {n}, {layer.Activation}), {StorageComment(layer, placement)}; {from} -> {to}");
        if (ModelPlanner.RunsInChunks(spec, index))
        {
            WriteChunkedLayerCall(writer, spec, plan, index);
            return;
        }

        var input = index == 0 ? "input" : Invariant($"a.AsSpan<float>({activations.OutputOffset(index - 1)}, batch * {k})");
        var output = isLast ? "output" : Invariant($"a.AsSpan<float>({activations.OutputOffset(index)}, batch * {n})");
        WriteKernelCall(writer, LayerKernelCall.For(layer, placement, activations, input, output, "batch", k));
        var observed = isLast ? "output.Slice(0, batch * OutputFeatures)" : output;
        writer.Line($"observer?.Invoke({index}, 0, batch, {observed});");
    }

    // A layer run on chunks of rows: its input rows staged in fp32 (widened from 16-bit storage, or zero-padded for an
    // int4 layer), the kernel, and its output rows narrowed to 16-bit storage for the next layer.
    private static void WriteChunkedLayerCall(IndentedWriter writer, ModelSpec spec, ModelPlan plan, int index)
    {
        var layer = spec.Layers[index];
        var placement = plan.Layers[index];
        var activations = plan.Activations;
        int k = placement.InFeatures, n = placement.OutFeatures;
        var padded = LayerSchemeRules.PaddedInFeatures(layer, k);
        var isLast = index == spec.Layers.Count - 1;
        var half = activations.HalfActivations;
        var storage = "global::ModelGen.Precision." + spec.Options.ActivationPrecision;
        var element = half ? "ushort" : "float";
        var stagedInput = Invariant($"a.AsSpan<float>({activations.StagedInputOffset}, rows * {padded})");
        var stagedOutput = Invariant($"a.AsSpan<float>({activations.StagedOutputOffset}, rows * {n})");

        writer.Open($"for (var r = 0; r < batch; r += {ModelLimits.ChunkRows})");
        writer.Line($"var rows = global::System.Math.Min({ModelLimits.ChunkRows}, batch - r);");
        string x;
        if (index == 0)
        {
            var rowsOfInput = Invariant($"input.Slice(r * {k}, rows * {k})");
            x = padded == k ? rowsOfInput : stagedInput;
            if (padded != k)
            {
                writer.Line($"global::ModelGen.Kernels.RowPadding.Copy({rowsOfInput}, {x}, rows, {k}, {padded});");
            }
        }
        else
        {
            var previous = Invariant($"a.AsSpan<{element}>({activations.OutputOffset(index - 1)}, batch * {k}).Slice(r * {k}, rows * {k})");
            x = stagedInput;
            if (half)
            {
                writer.Line($"global::ModelGen.Kernels.ActivationStorage.Widen({previous}, {x}, rows, {k}, {padded}, {storage});");
            }
            else
            {
                writer.Line($"global::ModelGen.Kernels.RowPadding.Copy({previous}, {x}, rows, {k}, {padded});");
            }
        }

        var y = isLast ? Invariant($"output.Slice(r * {n}, rows * {n})")
            : half ? stagedOutput
            : Invariant($"a.AsSpan<float>({activations.OutputOffset(index)}, batch * {n}).Slice(r * {n}, rows * {n})");
        WriteKernelCall(writer, LayerKernelCall.For(layer, placement, activations, x, y, "rows", padded));
        if (half && !isLast)
        {
            writer.Line($"global::ModelGen.Kernels.ActivationStorage.Narrow({y}, a.AsSpan<ushort>({activations.OutputOffset(index)}, batch * {n}).Slice(r * {n}, rows * {n}), {storage});");
        }

        writer.Line($"observer?.Invoke({index}, r, rows, {y});");
        writer.Close();
    }

    private static void WriteKernelCall(IndentedWriter writer, LayerKernelCall call)
    {
        writer.Line($"global::ModelGen.Kernels.DenseKernels.{call.Kernel}(");
        writer.Indent();
        for (var i = 0; i < call.Arguments.Count; i++)
        {
            writer.Line($"{call.Arguments[i]}{(i < call.Arguments.Count - 1 ? "," : ");")}");
        }

        writer.Unindent();
    }

    // The scheme properties the runtime's DenseLayer needs beyond its constructor; none for plain layers.
    private static string LayerInitializer(DenseSpec layer, LayerPlan placement)
    {
        var scheme = layer.Scheme;
        var parts = new List<string>();
        if (placement.InFeatures != layer.InFeatures)
        {
            parts.Add(Invariant($"SourceInFeatures = {layer.InFeatures}"));
        }

        if (placement.OutFeatures != layer.OutFeatures)
        {
            parts.Add(Invariant($"SourceOutFeatures = {layer.OutFeatures}"));
            parts.Add($"ChannelNorm = global::ModelGen.ChannelNorm.{scheme.ChannelNorm}");
        }

        if (LayerSchemeRules.IsInt4(layer.Precision))
        {
            parts.Add(Invariant($"GroupSize = {scheme.EffectiveGroupSize}"));
        }

        if (scheme.Pruning != LayerPruning.None)
        {
            parts.Add($"Pruning = global::ModelGen.Pruning.{scheme.Pruning}");
        }

        if (scheme.Pruning == LayerPruning.Magnitude)
        {
            parts.Add($"Sparsity = {(scheme.Sparsity ?? 0).ToString("R", CultureInfo.InvariantCulture)}");
            if (placement.StoredSparse)
            {
                parts.Add("StoredSparse = true");
            }
        }

        if (scheme.InputQuantization != LayerInputQuantization.Dynamic)
        {
            parts.Add($"InputQuantization = global::ModelGen.InputQuantization.{scheme.InputQuantization}");
        }

        foreach (var (name, offset) in new[] { ("StructureOffset", placement.StructureOffset), ("MinOffset", placement.MinOffset),
            ("CodebookOffset", placement.CodebookOffset), ("InputScaleOffset", placement.InputScaleOffset) })
        {
            if (offset >= 0)
            {
                parts.Add(Invariant($"{name} = {offset}"));
            }
        }

        return parts.Count == 0 ? "" : " { " + string.Join(", ", parts) + " }";
    }

    private static string StorageComment(DenseSpec layer, LayerPlan placement)
    {
        var scheme = layer.Scheme;
        var text = LayerSchemeRules.IsInt4(layer.Precision)
            ? Invariant($"{layer.Precision} g{scheme.EffectiveGroupSize} weights")
            : $"{layer.Precision} weights";
        if (scheme.InputQuantization == LayerInputQuantization.Static)
        {
            text += ", static input scale";
        }

        text += scheme.Pruning switch
        {
            LayerPruning.Magnitude => Invariant($", {(scheme.Sparsity ?? 0) * 100:0.##}% pruned, stored {(placement.StoredSparse ? "sparse" : "dense")}"),
            LayerPruning.TwoOfFour => ", 2:4 sparse",
            _ => "",
        };
        if (placement.OutFeatures != layer.OutFeatures)
        {
            text += Invariant($", {placement.OutFeatures} of {layer.OutFeatures} outputs kept");
        }

        return text;
    }

    /// <summary>Numbers in generated code never take the build machine's culture (a locale's minus sign would not compile).</summary>
    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Field(DenseSpec layer) => GeneratedNames.LayerField(layer.Property.Name);

    private static string Precision(DenseSpec layer) => "global::ModelGen.Precision." + layer.Precision;

    private static string Activation(DenseSpec layer) => "global::ModelGen.Activation." + layer.Activation;

    private static string BufferName(int layerIndex) => layerIndex % 2 == 0 ? "buffer A" : "buffer B";
}
