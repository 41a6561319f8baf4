namespace ModelGen;

/// <summary>A weight file is malformed, truncated, or does not match the model (names, shapes, dtypes, values).</summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>Creates the exception with a message naming the problem.</summary>
    public ModelFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public ModelFormatException(string message, Exception inner) : base(message, inner) { }
}
