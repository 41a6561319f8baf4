using ModelGen;

namespace AnalyzerShowcase;

// MG0003 (error, shown as a warning here): two layers share the tensor name "dense", so a weight file could not
// tell them apart.
[Model]
public sealed partial class DuplicateNameModel
{
    [Dense(16, 16, Name = "dense")]
    public partial DenseLayer First { get; }

    [Dense(16, 4, Name = "dense")]
    public partial DenseLayer Second { get; }
}
