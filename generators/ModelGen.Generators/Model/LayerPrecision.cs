namespace ModelGen.Generators.Model;

/// <summary>
/// Build-time mirror of the runtime's <c>ModelGen.Precision</c> (same names and values; a test keeps them equal).
/// The generator cannot reference the runtime assembly, and the planner needs each precision's element size.
/// </summary>
internal enum LayerPrecision
{
    /// <summary>fp32, 4 bytes per weight.</summary>
    Float32 = 0,
    /// <summary>fp16, 2 bytes per weight.</summary>
    Float16 = 1,
    /// <summary>bfloat16, 2 bytes per weight.</summary>
    BFloat16 = 2,
    /// <summary>int8 with fp32 per-output-channel scales, 1 byte per weight.</summary>
    Int8 = 3,
}
