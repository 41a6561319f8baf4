namespace ModelGen;

/// <summary>What a <see cref="GraphLayer"/> computes.</summary>
public enum LayerKind
{
    /// <summary>Fully connected: <c>y = x W^T + b</c> over the last dimension.</summary>
    Dense = 0,
    /// <summary>2-D convolution, NCHW.</summary>
    Conv2d = 1,
    /// <summary>Inference BatchNorm: a per-channel scale and shift (or folded into the convolution before it).</summary>
    BatchNorm2d = 2,
    /// <summary>Max pooling.</summary>
    MaxPool2d = 3,
    /// <summary>Average pooling.</summary>
    AvgPool2d = 4,
    /// <summary>Mean over each channel's plane.</summary>
    GlobalAvgPool = 5,
    /// <summary>LayerNorm over the last dimension.</summary>
    LayerNorm = 6,
    /// <summary>A standalone element-wise activation.</summary>
    Activation = 7,
    /// <summary>Element-wise sum of two tensors of the same shape (residual connection).</summary>
    Add = 8,
    /// <summary>Flatten to one dimension per sample: a view, never executed.</summary>
    Flatten = 9,
    /// <summary>Dropout: the identity at inference, never executed.</summary>
    Dropout = 10,
}
