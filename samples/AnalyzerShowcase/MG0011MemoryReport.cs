using ModelGen;

namespace AnalyzerShowcase;

// MG0011 (info): the compile-time memory figures, reported on every valid model (hover the class name).
// MG0010 (warning) fires here as well: see MG0010AotWithoutAvx2.cs.
[Model(MaxBatch = 8)]
public sealed partial class SmallModel
{
    [Dense(16, 8, Activation = Activation.Relu)]
    public partial DenseLayer Hidden { get; }

    [Dense(8, 8)]
    public partial DenseLayer Output { get; }
}
