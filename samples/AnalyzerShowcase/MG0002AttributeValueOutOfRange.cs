using ModelGen;

namespace AnalyzerShowcase;

// MG0002 (error, shown as a warning here): MaxBatch must be at least 1.
[Model(MaxBatch = 0)]
public sealed partial class OutOfRangeModel
{
    [Dense(16, 4)]
    public partial DenseLayer Output { get; }
}
