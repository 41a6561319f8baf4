using ModelGen;

namespace AnalyzerShowcase;

// MG0012 (info): Float16 weights are widened in software on .NET 10; BFloat16 is the fast 16-bit storage.
[Model]
public sealed partial class HalfModel
{
    [Dense(16, 8, Precision = Precision.Float16)]
    public partial DenseLayer Output { get; }
}
