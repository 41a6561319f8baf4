namespace ModelGen.Generators.Tests;

/// <summary>Representative models, each with a checked-in baseline of its generated file.</summary>
internal static class TestModels
{
    public const string Float32TwoLayer = """
        using ModelGen;

        namespace Demo;

        [Model(MaxBatch = 32)]
        public sealed partial class Mlp
        {
            [Dense(784, 128, Activation = Activation.Relu)]
            public partial DenseLayer Hidden { get; }

            [Dense(128, 10)]
            public partial DenseLayer Output { get; }
        }
        """;

    public const string MixedPrecisionSoftmax = """
        using ModelGen;

        namespace Demo.Models;

        [Model(MaxBatch = 16, Softmax = true)]
        internal sealed partial class MixedNet
        {
            [Dense(300, 200, Activation = Activation.Gelu, Precision = Precision.Int8)]
            public partial DenseLayer Encoder { get; }

            [Dense(200, 100, Activation = Activation.Tanh, Precision = Precision.Float16, Bias = false, Name = "mid.proj")]
            internal partial DenseLayer MidProj { get; }

            [Dense(100, 7, Precision = Precision.BFloat16)]
            public partial DenseLayer Head { get; }
        }
        """;

    public const string NestedWithBudget = """
        using ModelGen;

        namespace Company.Vision
        {
            public static partial class Zoo
            {
                internal partial struct Holder
                {
                    [Model(MaxBatch = 8, MemoryBudget = "1.5 MiB")]
                    public partial class TinyClassifier
                    {
                        [Dense(64, 48, Activation = Activation.Relu6, Precision = Precision.Int8)]
                        public partial DenseLayer FcA { get; }

                        [Dense(48, 16, Activation = Activation.Sigmoid, Precision = Precision.Int8)]
                        protected internal partial DenseLayer Layer2Out { get; }

                        [Dense(16, 24, Precision = Precision.Float16)]
                        public partial DenseLayer Widen { get; }

                        [Dense(24, 4)]
                        private partial DenseLayer @class { get; }
                    }
                }
            }
        }
        """;

    public const string SingleLayerGlobal = """
        using ModelGen;

        [Model]
        partial class Linear
        {
            [Dense(3, 2, Bias = false)]
            public partial DenseLayer Projection { get; }
        }
        """;

    public const string FashionMlp = """
        using ModelGen;

        namespace Demo;

        [Model(MaxBatch = 64, MemoryBudget = "4 MiB", Softmax = false)]
        public sealed partial class FashionMlp
        {
            [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int8)]
            public partial DenseLayer Hidden { get; }

            [Dense(256, 10)]
            public partial DenseLayer Output { get; }
        }
        """;

    /// <summary>Invalid (MaxBatch 0, broken chain, nullable type, setter): only placeholder layer properties are generated.</summary>
    public const string InvalidModelStubs = """
        using ModelGen;

        namespace Demo;

        [Model(MaxBatch = 0)]
        public sealed partial class Broken
        {
            [Dense(784, 256)]
            public partial DenseLayer Hidden { get; }

            [Dense(128, 10)]
            internal partial DenseLayer? Output { get; }

            [Dense(10, 2)]
            public partial DenseLayer Extra { get; private set; }
        }
        """;

    /// <summary>Every quantization and pruning scheme: int4 with padded rows, codebooks, static int8, sparse, 2:4, channel pruning.</summary>
    public const string QuantizedAndPruned = """
        using ModelGen;

        namespace Demo;

        [Model(MaxBatch = 8)]
        public sealed partial class Compressed
        {
            [Dense(100, 96, Activation = Activation.Relu, Precision = Precision.Int4, KeepOutputs = 64)]
            public partial DenseLayer Stem { get; }

            [Dense(96, 64, Activation = Activation.Gelu, Precision = Precision.Int4Asymmetric, GroupSize = 64)]
            public partial DenseLayer Mix { get; }

            [Dense(64, 64, Activation = Activation.Relu, Precision = Precision.Codebook16)]
            public partial DenseLayer Shared { get; }

            [Dense(64, 48, Activation = Activation.Relu, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)]
            public partial DenseLayer Calibrated { get; }

            [Dense(48, 32, Activation = Activation.Relu, Pruning = Pruning.Magnitude, Sparsity = 0.9, SparseStorage = SparseStorage.Sparse)]
            public partial DenseLayer Sparse { get; }

            [Dense(32, 16, Activation = Activation.Relu, Precision = Precision.Int8, Pruning = Pruning.TwoOfFour)]
            public partial DenseLayer Structured { get; }

            [Dense(16, 4, Precision = Precision.Codebook256, Bias = false)]
            public partial DenseLayer Head { get; }
        }
        """;

    /// <summary>bf16 activation storage: every layer runs 8-row chunks, widening its input and narrowing its output.</summary>
    public const string HalfActivations = """
        using ModelGen;

        namespace Demo;

        [Model(MaxBatch = 32, ActivationPrecision = Precision.BFloat16)]
        public sealed partial class Lean
        {
            [Dense(100, 64, Activation = Activation.Relu, Precision = Precision.Int4)]
            public partial DenseLayer Hidden { get; }

            [Dense(64, 48, Activation = Activation.Gelu, Precision = Precision.Int8)]
            public partial DenseLayer Middle { get; }

            [Dense(48, 10)]
            public partial DenseLayer Output { get; }
        }
        """;

    public static string Source(string name) => name switch
    {
        nameof(HalfActivations) => HalfActivations,
        nameof(QuantizedAndPruned) => QuantizedAndPruned,
        nameof(Float32TwoLayer) => Float32TwoLayer,
        nameof(MixedPrecisionSoftmax) => MixedPrecisionSoftmax,
        nameof(NestedWithBudget) => NestedWithBudget,
        nameof(SingleLayerGlobal) => SingleLayerGlobal,
        nameof(FashionMlp) => FashionMlp,
        nameof(InvalidModelStubs) => InvalidModelStubs,
        _ => GraphTestModels.Source(name) ?? throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown test model."),
    };
}
