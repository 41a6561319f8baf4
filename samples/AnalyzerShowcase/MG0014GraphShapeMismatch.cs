using ModelGen;

namespace AnalyzerShowcase;

// MG0014 (error, shown as a warning here): the second convolution declares 16 input channels, but the pool before it
// passes on the first convolution's 32. The graph model is not generated until the shapes agree.
[Model(InputShape = new[] { 1, 28, 28 })]
public sealed partial class ChannelMismatchCnn
{
    [Conv2d(1, 32, 3, Padding = 1)]
    public partial GraphLayer Conv1 { get; }

    [MaxPool2d(2)]
    public partial GraphLayer Pool1 { get; }

    [Conv2d(16, 64, 3)]
    public partial GraphLayer Conv2 { get; }
}
