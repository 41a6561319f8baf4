namespace ModelGen.Generators.Model.Graph;

/// <summary>
/// Build-time mirror of the runtime's <c>ModelGen.LayerKind</c> (same names and values), plus <see cref="Unknown"/> for
/// an attribute derived from <c>LayerAttribute</c> that the generator does not know.
/// </summary>
internal enum GraphLayerKind
{
    /// <summary>Fully connected.</summary>
    Dense = 0,
    /// <summary>2-D convolution.</summary>
    Conv2d = 1,
    /// <summary>Inference BatchNorm.</summary>
    BatchNorm2d = 2,
    /// <summary>Max pooling.</summary>
    MaxPool2d = 3,
    /// <summary>Average pooling.</summary>
    AvgPool2d = 4,
    /// <summary>Mean over each channel's plane.</summary>
    GlobalAvgPool = 5,
    /// <summary>LayerNorm over the last dimension.</summary>
    LayerNorm = 6,
    /// <summary>A standalone activation (the function is in <see cref="GraphLayerSpec.Activation"/>).</summary>
    Activation = 7,
    /// <summary>Residual sum.</summary>
    Add = 8,
    /// <summary>Flatten: a view.</summary>
    Flatten = 9,
    /// <summary>Dropout: a view.</summary>
    Dropout = 10,
    /// <summary>A layer attribute the generator cannot plan.</summary>
    Unknown = -1,

    /// <summary>A <c>[Block]</c> whose type is not a <c>[ModelBlock]</c> interface with layers (see <see cref="GraphLayerSpec.AttributeName"/>).</summary>
    InvalidBlock = -2,
}
