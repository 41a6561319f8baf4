namespace ModelGen;

/// <summary>The norm that ranks output neurons when <see cref="DenseAttribute.KeepOutputs"/> prunes channels.</summary>
public enum ChannelNorm
{
    /// <summary>Euclidean norm of the neuron's weight row.</summary>
    L2 = 0,
    /// <summary>Sum of absolute weights of the neuron's row.</summary>
    L1 = 1,
}
