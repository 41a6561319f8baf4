using ModelGen;

namespace AnalyzerShowcase;

// MG0001 (error, shown as a warning here): Output takes 128 inputs but Hidden produces 64. The generator emits only
// throwing placeholders for a model with errors, so this class compiles but cannot be loaded.
[Model]
public sealed partial class ShapeMismatchModel
{
    [Dense(16, 64, Activation = Activation.Relu)]
    public partial DenseLayer Hidden { get; }

    [Dense(128, 4)]
    public partial DenseLayer Output { get; }
}
