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
    /// <summary>Block-wise symmetric int4: nibbles plus one fp16 scale per group.</summary>
    Int4 = 4,
    /// <summary>Block-wise asymmetric int4: nibbles plus an fp16 scale and minimum per group.</summary>
    Int4Asymmetric = 5,
    /// <summary>4-bit indices into a 16-entry fp16 codebook per output row.</summary>
    Codebook16 = 6,
    /// <summary>8-bit indices into one 256-entry fp16 codebook.</summary>
    Codebook256 = 7,
}
