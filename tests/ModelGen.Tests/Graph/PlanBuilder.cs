using ModelGen.Graph;
using ModelGen.Kernels;

namespace ModelGen.Tests.Graph;

/// <summary>A plan built by hand: the layers, the activation plan and the weight block size.</summary>
internal sealed record BuiltPlan(GraphLayer[] Layers, ActivationPlan Plan, long WeightBytes)
{
    public int InputSize => Layers[0].InputSize;

    public int OutputSize => Layers.Last(l => l.Executes).OutputSize;
}

/// <summary>
/// Builds a <see cref="GraphLayer"/> plan from a compact layer list, as the generator will (the generator is written in
/// parallel). Naive layout: every executed layer's output gets its own 64-aligned region (in-place layers reuse their
/// input's), the last executed layer writes the model output, the fixed scratch is the largest any layer needs.
/// Each method returns the new layer's index; layers read the previous one unless told otherwise.
/// </summary>
internal sealed class PlanBuilder(params int[] inputShape)
{
    private sealed class Spec
    {
        public required string Name;
        public required LayerKind Kind;
        public required int[] InputShape, OutputShape;
        public Precision Precision;
        public Activation Activation;
        public Conv2dShape Window;
        public float Epsilon;
        public bool HasBias, InPlace;
        public string? FoldedBatchNorm;
        public int ExecutedBy = -1, Source = -1, Source2 = -2;
    }

    private readonly List<Spec> _specs = [];

    public int Last => _specs.Count - 1;

    private int[] Shape(int index) => index < 0 ? inputShape : _specs[index].OutputShape;

    private int Add(Spec spec)
    {
        _specs.Add(spec);
        return _specs.Count - 1;
    }

    /// <summary>The executing layer that computes layer <paramref name="index"/>'s tensor; -1 for the model input.</summary>
    private int Producer(int index)
    {
        while (index >= 0 && (_specs[index].ExecutedBy >= 0 || _specs[index].Kind is LayerKind.Flatten or LayerKind.Dropout))
            index = _specs[index].ExecutedBy;
        return index;
    }

    public int Dense(string name, int outFeatures, Precision precision = Precision.Float32, Activation activation = Activation.None,
        bool bias = true, int? from = null)
    {
        int source = from ?? Last;
        int[] input = Shape(source);
        return Add(new Spec
        {
            Name = name, Kind = LayerKind.Dense, InputShape = input, OutputShape = [.. input[..^1], outFeatures],
            Precision = precision, Activation = activation, HasBias = bias, Source = source,
        });
    }

    /// <summary>A convolution; with <paramref name="batchNorm"/> also the BatchNorm folded into it (the returned index is the BatchNorm's).</summary>
    public int Conv(string name, int outChannels, int kernel, int stride = 1, int padding = 0, int groups = 1,
        Precision precision = Precision.Float32, bool bias = true, string? batchNorm = null, Activation activation = Activation.None,
        int dilation = 1, int? from = null)
    {
        int source = from ?? Last;
        int[] input = Shape(source);
        var window = new Conv2dShape(input[0], outChannels, input[1], input[2], kernel, kernel, stride, stride, padding, padding,
            dilation, dilation, groups);
        int conv = Add(new Spec
        {
            Name = name, Kind = LayerKind.Conv2d, InputShape = input, OutputShape = [outChannels, window.OutHeight, window.OutWidth],
            Precision = precision, Activation = activation, HasBias = bias, Window = window, Source = source, FoldedBatchNorm = batchNorm,
        });
        if (batchNorm is null) return conv;
        return Add(new Spec
        {
            Name = batchNorm, Kind = LayerKind.BatchNorm2d, InputShape = Shape(conv), OutputShape = Shape(conv), Epsilon = 1e-5f,
            ExecutedBy = conv, Source = conv,
        });
    }

    public int BatchNorm(string name, float epsilon = 1e-5f, Activation activation = Activation.None, bool inPlace = false) =>
        Add(new Spec
        {
            Name = name, Kind = LayerKind.BatchNorm2d, InputShape = Shape(Last), OutputShape = Shape(Last), Epsilon = epsilon,
            Activation = activation, Source = Last, InPlace = inPlace,
        });

    /// <summary>An activation: fused into the layer that computes its input (which must have none yet), or standalone.</summary>
    public int Act(Activation activation, bool fuse = true, bool inPlace = false, string? name = null)
    {
        int source = Last, producer = Producer(source);
        if (fuse)
        {
            Assert.True(producer >= 0 && _specs[producer].Activation == Activation.None, "fuse into an executing layer without an activation");
            _specs[producer].Activation = activation;
        }
        return Add(new Spec
        {
            Name = name ?? $"act{_specs.Count}", Kind = LayerKind.Activation, InputShape = Shape(source), OutputShape = Shape(source),
            Activation = activation, Source = source, ExecutedBy = fuse ? producer : -1, InPlace = inPlace,
        });
    }

    public int MaxPool(int kernel, int stride = 0, int padding = 0) => Pool(LayerKind.MaxPool2d, kernel, stride, padding);

    public int AvgPool(int kernel, int stride = 0, int padding = 0) => Pool(LayerKind.AvgPool2d, kernel, stride, padding);

    private int Pool(LayerKind kind, int kernel, int stride, int padding)
    {
        int[] input = Shape(Last);
        stride = stride == 0 ? kernel : stride;
        var window = new Conv2dShape(input[0], input[0], input[1], input[2], kernel, kernel, stride, stride, padding, padding, Groups: input[0]);
        return Add(new Spec
        {
            Name = $"pool{_specs.Count}", Kind = kind, InputShape = input,
            OutputShape = [input[0], PoolKernels.OutputSize(input[1], kernel, stride, padding), PoolKernels.OutputSize(input[2], kernel, stride, padding)],
            Window = window, Source = Last,
        });
    }

    public int GlobalAvgPool(Activation activation = Activation.None) =>
        Add(new Spec { Name = $"gap{_specs.Count}", Kind = LayerKind.GlobalAvgPool, InputShape = Shape(Last), OutputShape = [Shape(Last)[0], 1, 1], Activation = activation, Source = Last });

    public int LayerNorm(string name, float epsilon = 1e-5f, bool inPlace = false) =>
        Add(new Spec { Name = name, Kind = LayerKind.LayerNorm, InputShape = Shape(Last), OutputShape = Shape(Last), Epsilon = epsilon, Source = Last, InPlace = inPlace });

    /// <summary><c>a + b</c>; in place over <paramref name="a"/>'s tensor when asked.</summary>
    public int Residual(int a, int b, Activation activation = Activation.None, bool inPlace = false) =>
        Add(new Spec
        {
            Name = $"add{_specs.Count}", Kind = LayerKind.Add, InputShape = Shape(a), OutputShape = Shape(a), Activation = activation,
            Source = a, Source2 = b, InPlace = inPlace,
        });

    public int Flatten() => View(LayerKind.Flatten, [Shape(Last).Aggregate(1, (p, d) => p * d)]);

    public int Dropout() => View(LayerKind.Dropout, Shape(Last));

    private int View(LayerKind kind, int[] output) =>
        Add(new Spec { Name = $"{kind.ToString().ToLowerInvariant()}{_specs.Count}", Kind = kind, InputShape = Shape(Last), OutputShape = output, Source = Last, ExecutedBy = Producer(Last) });

    public BuiltPlan Build()
    {
        int lastExecuted = _specs.FindLastIndex(s => s.ExecutedBy < 0 && s.Kind is not (LayerKind.Flatten or LayerKind.Dropout));
        long weights = 0, batchRegion = 0, fixedScratch = 0;
        var outputOffsets = new long[_specs.Count];
        var layers = new GraphLayer[_specs.Count];
        for (int i = 0; i < _specs.Count; i++)
        {
            Spec s = _specs[i];
            bool executes = s.ExecutedBy < 0 && s.Kind is not (LayerKind.Flatten or LayerKind.Dropout);
            long TensorOffset(int source) { int p = Producer(source); return p < 0 ? GraphLayer.ModelInput : outputOffsets[p]; }
            long input = executes ? TensorOffset(s.Source) : GraphLayer.None;
            long input2 = executes && s.Kind == LayerKind.Add ? TensorOffset(s.Source2) : GraphLayer.None;
            long output = GraphLayer.None, rowScratch = GraphLayer.None, rowBytes = 0, scratch = GraphLayer.None, scratchBytes = 0;
            if (executes)
            {
                int outputSize = s.OutputShape.Aggregate(1, (p, d) => p * d);
                if (i == lastExecuted) output = GraphLayer.ModelOutput;
                else if (s.InPlace) output = input;
                else { output = batchRegion; batchRegion += GraphScratch.Align(outputSize * 4L); }
                outputOffsets[i] = output;
                if (s.Kind == LayerKind.Dense && s.Precision == Precision.Int8)
                {
                    rowBytes = GraphScratch.DenseRowBytes(3, s.InputShape[^1]);
                    int rows = s.InputShape.Aggregate(1, (p, d) => p * d) / s.InputShape[^1];
                    if (rows > 1) rowBytes = GraphScratch.Align((long)rows * s.InputShape[^1]) + GraphScratch.Align(rows * 4L);
                    rowScratch = batchRegion;
                    batchRegion += rowBytes;
                }
                if (s.Kind == LayerKind.Conv2d)
                {
                    scratchBytes = GraphScratch.ConvBytes((int)s.Precision, GraphLayout.Geometry(s.Window));
                    scratch = 0;
                    fixedScratch = Math.Max(fixedScratch, GraphScratch.Align(scratchBytes));
                }
            }

            // Weights: Dense, Conv2d, standalone BatchNorm, LayerNorm.
            long weightOffset = GraphLayer.None, scaleOffset = GraphLayer.None, biasOffset = GraphLayer.None;
            bool weighted = s.Kind is LayerKind.Dense or LayerKind.Conv2d or LayerKind.LayerNorm || (s.Kind == LayerKind.BatchNorm2d && executes);
            if (weighted)
            {
                int channels = s.Kind switch
                {
                    LayerKind.Dense => s.OutputShape[^1], LayerKind.Conv2d => s.Window.OutChannels,
                    LayerKind.BatchNorm2d => s.InputShape[0], _ => s.InputShape[^1],
                };
                long perChannel = s.Kind switch { LayerKind.Dense => s.InputShape[^1], LayerKind.Conv2d => s.Window.WeightsPerOutChannel, _ => 1 };
                int element = s.Kind is LayerKind.Dense or LayerKind.Conv2d ? GraphLayout.ElementBytes(s.Precision) : 4;
                weightOffset = weights;
                weights += GraphScratch.Align(channels * perChannel * element);
                if (s.Kind is LayerKind.Dense or LayerKind.Conv2d && s.Precision == Precision.Int8)
                {
                    scaleOffset = weights;
                    weights += GraphScratch.Align(channels * 4L);
                }
                if (s.Kind is not (LayerKind.Dense or LayerKind.Conv2d) || s.HasBias || s.FoldedBatchNorm is not null)
                {
                    biasOffset = weights;
                    weights += GraphScratch.Align(channels * 4L);
                }
            }

            layers[i] = new GraphLayer
            {
                Index = i, Name = s.Name, Kind = s.Kind, Precision = s.Precision, Activation = s.Activation,
                InputShape = s.InputShape, OutputShape = s.OutputShape, Window = s.Window, Epsilon = s.Epsilon, HasBias = s.HasBias,
                FoldedBatchNorm = s.FoldedBatchNorm, ExecutedBy = s.ExecutedBy, Source = s.Source, Source2 = s.Source2,
                InputOffset = input, Input2Offset = input2, OutputOffset = output, RowScratchOffset = rowScratch, RowScratchBytes = rowBytes,
                ScratchOffset = scratch, ScratchBytes = scratchBytes, WeightOffset = weightOffset, ScaleOffset = scaleOffset, BiasOffset = biasOffset,
            };
        }
        return new BuiltPlan(layers, new ActivationPlan(fixedScratch, batchRegion, batchRegion, batchRegion), Math.Max(weights, 64));
    }
}
