namespace ModelGen;

/// <summary>Storage precision of a layer's weights. Accumulation is always fp32 (int32 inside int8 dot products).</summary>
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
    /// <summary>
    /// Block-wise symmetric int4 (llama.cpp's Q4_0): two weights per byte, one fp16 scale per
    /// <see cref="DenseAttribute.GroupSize"/> weights along the input dimension.
    /// </summary>
    Int4 = 4,
    /// <summary>Block-wise asymmetric int4 (Q4_1): per block an fp16 scale and an fp16 minimum.</summary>
    Int4Asymmetric = 5,
    /// <summary>Non-uniform: 4-bit indices into a 16-entry fp16 codebook per output channel (k-means at load).</summary>
    Codebook16 = 6,
    /// <summary>Non-uniform: 8-bit indices into one 256-entry fp16 codebook for the whole tensor (k-means at load).</summary>
    Codebook256 = 7,
}
