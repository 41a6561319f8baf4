namespace ModelGen;

/// <summary>Storage precision of a layer's weights. Accumulation is always fp32 (or int32 for Int8).</summary>
public enum Precision
{
    /// <summary>IEEE fp32 weights.</summary>
    Float32 = 0,
    /// <summary>IEEE fp16 storage, converted to fp32 in registers; fp32 accumulation.</summary>
    Float16 = 1,
    /// <summary>bfloat16 storage (upper half of fp32), fp32 accumulation.</summary>
    BFloat16 = 2,
    /// <summary>Symmetric per-output-channel int8 weights; activations quantized per row at run time; int32 accumulation.</summary>
    Int8 = 3,
}
