using ModelGen;

namespace AnalyzerShowcase;

// MG0013 (error, shown as a warning here): a codebook layer cannot also be 2:4 pruned; pruned layers store Float32 or
// Int8 values. The model is not generated until the options agree.
[Model]
public sealed partial class CodebookTwoOfFour
{
    [Dense(64, 16, Precision = Precision.Codebook16, Pruning = Pruning.TwoOfFour)]
    public partial DenseLayer Hidden { get; }
}
