using ModelGen;

[Model]
internal sealed partial class BrokenMlp
{
    [Dense(784, 256)]
    public partial DenseLayer Hidden { get; }

    [Dense(128, 10)]
    public partial DenseLayer Output { get; }
}
