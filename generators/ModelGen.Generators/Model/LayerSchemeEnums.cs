namespace ModelGen.Generators.Model;

/// <summary>Build-time mirror of the runtime's <c>ModelGen.Pruning</c> (same names and values; a test keeps them equal).</summary>
internal enum LayerPruning
{
    /// <summary>All weights kept.</summary>
    None = 0,
    /// <summary>Unstructured magnitude pruning, the same count kept in every row.</summary>
    Magnitude = 1,
    /// <summary>2 of every 4 weights along the input.</summary>
    TwoOfFour = 2,
}

/// <summary>Build-time mirror of the runtime's <c>ModelGen.InputQuantization</c>.</summary>
internal enum LayerInputQuantization
{
    /// <summary>Per-row scales at run time.</summary>
    Dynamic = 0,
    /// <summary>One calibrated scale.</summary>
    Static = 1,
}

/// <summary>Build-time mirror of the runtime's <c>ModelGen.ChannelNorm</c>.</summary>
internal enum LayerChannelNorm
{
    /// <summary>Euclidean norm.</summary>
    L2 = 0,
    /// <summary>Sum of absolute values.</summary>
    L1 = 1,
}

/// <summary>Build-time mirror of the runtime's <c>ModelGen.SparseStorage</c>.</summary>
internal enum LayerSparseStorage
{
    /// <summary>The cost rule decides.</summary>
    Auto = 0,
    /// <summary>Always sparse.</summary>
    Sparse = 1,
    /// <summary>Always dense with zeros.</summary>
    Dense = 2,
}
