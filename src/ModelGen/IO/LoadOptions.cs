namespace ModelGen;

/// <summary>Options for loading a model's weights.</summary>
public sealed class LoadOptions
{
    /// <summary>Default options: every tensor of the file must belong to the model.</summary>
    public static LoadOptions Default { get; } = new();

    /// <summary>Accept tensors the model does not use (e.g. an optimizer's or a head you dropped) instead of failing.</summary>
    public bool IgnoreExtraTensors { get; init; }
}
