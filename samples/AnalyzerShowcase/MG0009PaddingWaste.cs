using ModelGen;

namespace AnalyzerShowcase;

// MG0009 (info): the head reads rows of 10 int8 inputs, in 32-lane vectors: 22 of the 32 lanes are padding.
[Model]
public sealed partial class PaddedModel
{
    [Dense(32, 10)]
    public partial DenseLayer Features { get; }

    [Dense(10, 4, Precision = Precision.Int8)]
    public partial DenseLayer Head { get; }
}
